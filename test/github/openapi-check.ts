/**
 * Checks a request against GitHub's published OpenAPI description (@octokit/openapi): the method
 * and path are an operation, its required query parameters are there, enum parameters hold allowed
 * values, and a JSON body satisfies the operation's request-body schema (required properties, enums,
 * types, limits such as 50 annotations) — validated with Ajv.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import formats from "ajv-formats";

// ajv-formats is CommonJS with a default export: NodeNext sees the module object.
const addFormats = formats.default;

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema?: { enum?: unknown[]; type?: string };
}

interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter> } & Record<string, unknown>;
}

interface Route {
  template: string;
  regex: RegExp;
  literal: number;
  methods: Record<string, Operation>;
}

let loaded: { spec: Spec; routes: Route[]; ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function load() {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const spec = JSON.parse(
    readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8"),
  ) as Spec;
  const routes = Object.entries(spec.paths).map(([template, methods]) => {
    // `{path}` of the contents API holds slashes; every other parameter is one segment.
    const pattern = template
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{(\w+)\}/g, (_, name: string) => (name === "path" ? "(.+)" : "([^/]+)"));
    return {
      template,
      regex: new RegExp(`^${pattern}$`),
      literal: template.replace(/\{\w+\}/g, "").length,
      methods,
    };
  });
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  loaded = { spec, routes, ajv, validators: new Map() };
  return loaded;
}

export interface OpenApiMatch {
  template?: string;
  operationId?: string;
  problems: string[];
}

export function checkAgainstOpenApi(
  method: string,
  pathname: string,
  query: URLSearchParams,
  body: unknown,
): OpenApiMatch {
  const { spec, routes, ajv, validators } = load();
  const candidates = routes.filter((r) => r.regex.test(pathname)).sort((a, b) => b.literal - a.literal);
  const route = candidates.find((r) => r.methods[method.toLowerCase()]) ?? candidates[0];
  if (!route) return { problems: [`${method} ${pathname}: no such path in GitHub's API`] };
  const op = route.methods[method.toLowerCase()];
  if (!op) return { template: route.template, problems: [`${method} ${route.template}: no such operation`] };
  const problems: string[] = [];
  const params = (op.parameters ?? []).map((p) =>
    "$ref" in p ? spec.components.parameters[p.$ref.split("/").at(-1)!]! : p,
  );
  for (const p of params.filter((x) => x.in === "query")) {
    const value = query.get(p.name);
    if (value === null) {
      if (p.required) problems.push(`query parameter ${p.name} is required`);
      continue;
    }
    if (p.schema?.enum && !p.schema.enum.map(String).includes(value))
      problems.push(`query parameter ${p.name}=${value} is not one of ${p.schema.enum.join(", ")}`);
  }
  for (const key of query.keys())
    if (!params.some((p) => p.in === "query" && p.name === key))
      problems.push(`unknown query parameter ${key}`);
  const bodySchema = op.requestBody?.content["application/json"]?.schema;
  if (bodySchema) {
    if (body === undefined) {
      if (op.requestBody?.required) problems.push("a JSON body is required");
    } else {
      const key = `${method} ${route.template}`;
      const validate = validators.get(key) ?? ajv.compile({ ...bodySchema, components: spec.components });
      validators.set(key, validate);
      if (!validate(body))
        for (const e of validate.errors ?? []) problems.push(`body${e.instancePath} ${e.message}`);
    }
  } else if (body !== undefined) problems.push("this operation takes no body");
  return { template: route.template, operationId: op.operationId, problems };
}
