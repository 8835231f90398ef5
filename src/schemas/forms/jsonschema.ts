import type { CanonicalField } from "../canonical.ts";
import { cyclicSchema, invalidSchema } from "../errors.ts";
import { formatType, type TypeNode, unifyTypes } from "../types.ts";
import { type Budget, joinPath } from "./budget.ts";

/**
 * JSON Schema (draft-07 and 2020-12) → canonical fields. Only what a dataset schema can say is
 * read: properties/required, types and formats, nested objects and arrays, local `$ref`s to
 * `$defs`/`definitions` (or any local JSON pointer), allOf (merged), anyOf/oneOf (null branches
 * make the field nullable; object branches merge; otherwise the value is `json`). Validation
 * keywords (pattern, minimum, …) are ignored except `maxLength`, which becomes varchar(n).
 */
type Obj = Record<string, unknown>;

interface Shape {
  type: TypeNode;
  nullable: boolean;
  fields?: CanonicalField[];
  description?: string;
  renamedFrom?: string[];
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const scalar = (name: string, params?: number[]): TypeNode =>
  params ? { kind: "scalar", name, params } : { kind: "scalar", name };
const JSON_T = scalar("json");

export function looksLikeJsonSchema(v: unknown): boolean {
  if (!isObj(v)) return false;
  return (
    typeof v.$schema === "string" ||
    isObj(v.properties) ||
    typeof v.$ref === "string" ||
    isObj(v.$defs) ||
    isObj(v.definitions) ||
    v.type === "object" ||
    (v.type === "array" && isObj(v.items)) ||
    Array.isArray(v.allOf) ||
    Array.isArray(v.anyOf) ||
    Array.isArray(v.oneOf)
  );
}

export function normalizeJsonSchema(root: unknown, budget: Budget): CanonicalField[] {
  if (!isObj(root)) throw invalidSchema("A JSON Schema must be an object");
  return new Reader(root, budget).rootFields();
}

class Reader {
  constructor(
    private readonly root: Obj,
    private readonly budget: Budget,
  ) {}

  rootFields(): CanonicalField[] {
    let { node, stack } = this.deref(this.root, []);
    // A dataset given as "array of rows" describes its rows.
    if (node.type === "array" && (isObj(node.items) || typeof node.items === "boolean")) {
      ({ node, stack } = this.deref(node.items, stack));
    }
    const merged = this.mergeAllOf(node, stack);
    if (!this.isObjectLike(merged.node))
      throw invalidSchema(
        "The JSON Schema root must describe an object (type: object with properties), or an array of such objects",
      );
    const combined = this.combineBranches(merged.node, merged.stack);
    if (combined) return combined.fields ?? [];
    return this.objectFields(merged.node, "", 1, merged.stack);
  }

  private resolvePointer(ref: string): unknown {
    const id = typeof this.root.$id === "string" ? this.root.$id : undefined;
    let local = ref;
    if (id && ref.startsWith(id)) local = ref.slice(id.length);
    if (!local.startsWith("#"))
      throw invalidSchema(
        `Unsupported $ref "${ref}": only references inside the document are resolved; bundle the schema first`,
        {
          ref,
        },
      );
    if (local === "#") return this.root;
    if (!local.startsWith("#/")) {
      const anchor = local.slice(1);
      const found = findAnchor(this.root, anchor);
      if (found === undefined) throw invalidSchema(`$ref "${ref}" points to an unknown anchor`, { ref });
      return found;
    }
    let cur: unknown = this.root;
    for (const raw of local.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (Array.isArray(cur)) cur = cur[Number(key)];
      else if (isObj(cur)) cur = cur[key];
      else cur = undefined;
      if (cur === undefined)
        throw invalidSchema(`$ref "${ref}" does not resolve inside the document`, { ref });
    }
    return cur;
  }

  /** Follows `$ref` chains; siblings of `$ref` (description, nullable…) override the target. */
  private deref(input: unknown, stack: string[]): { node: Obj; stack: string[] } {
    if (input === true || input === undefined) return { node: {}, stack };
    if (input === false) return { node: { not: {} }, stack };
    if (!isObj(input)) throw invalidSchema("Invalid subschema: expected an object or boolean");
    let node = input;
    let s = stack;
    while (typeof node.$ref === "string") {
      const ref = node.$ref;
      if (s.includes(ref))
        throw cyclicSchema(
          `Cyclic schema: ${[...s.slice(s.indexOf(ref)), ref].join(" → ")} refers back to itself; recursive types cannot be flattened into fields`,
          { cycle: [...s.slice(s.indexOf(ref)), ref] },
        );
      const target = this.resolvePointer(ref);
      const { $ref: _drop, ...siblings } = node;
      if (target === true || target === undefined) node = { ...siblings };
      else if (!isObj(target)) throw invalidSchema(`$ref "${ref}" does not point to a schema`, { ref });
      else node = { ...target, ...siblings };
      s = [...s, ref];
    }
    return { node, stack: s };
  }

  /** allOf branches merged into one node: properties and required unioned, other keys last-wins. */
  private mergeAllOf(node: Obj, stack: string[]): { node: Obj; stack: string[] } {
    if (!Array.isArray(node.allOf)) return { node, stack };
    const { allOf, ...rest } = node;
    let out: Obj = {};
    let s = stack;
    for (const branch of [rest, ...(allOf as unknown[])]) {
      const d = this.deref(branch, stack);
      const m = this.mergeAllOf(d.node, d.stack);
      out = mergeSchemas(out, m.node, "allOf");
      s = [...new Set([...s, ...m.stack])];
    }
    return { node: out, stack: s };
  }

  private isObjectLike(n: Obj): boolean {
    const types = typeList(n);
    return (
      types.includes("object") ||
      isObj(n.properties) ||
      (types.length === 0 && (Array.isArray(n.anyOf) || Array.isArray(n.oneOf)))
    );
  }

  private objectFields(node: Obj, prefix: string, depth: number, stack: string[]): CanonicalField[] {
    const props = isObj(node.properties) ? node.properties : {};
    const required = new Set(
      Array.isArray(node.required) ? node.required.filter((r) => typeof r === "string") : [],
    );
    const out: CanonicalField[] = [];
    for (const [name, sub] of Object.entries(props)) {
      const path = joinPath(prefix, name);
      this.budget.take(path, depth);
      const shape = this.shape(sub, path, depth, stack);
      const field: CanonicalField = {
        name,
        type: formatType(shape.type),
        nullable: !required.has(name) || shape.nullable,
      };
      if (shape.description) field.description = shape.description;
      if (shape.fields) field.fields = shape.fields;
      if (shape.renamedFrom) field.renamedFrom = shape.renamedFrom;
      out.push(field);
    }
    return out;
  }

  /**
   * anyOf/oneOf. Returns undefined when the node has no informative branches (none, or only
   * constraint branches such as `oneOf: [{required: [a]}, {required: [b]}]`).
   */
  private combineBranches(node: Obj, stack: string[], path = "", depth = 0): Shape | undefined {
    const branchesRaw = Array.isArray(node.anyOf)
      ? node.anyOf
      : Array.isArray(node.oneOf)
        ? node.oneOf
        : undefined;
    if (!branchesRaw) return undefined;
    let nullable = false;
    const branches: { node: Obj; stack: string[] }[] = [];
    for (const b of branchesRaw as unknown[]) {
      const d = this.deref(b, stack);
      const m = this.mergeAllOf(d.node, d.stack);
      if (isNullOnly(m.node)) nullable = true;
      else if (typeList(m.node).length > 0 || hasBranches(m.node)) branches.push(m);
    }
    const { anyOf: _a, oneOf: _o, ...base } = node;
    if (isObj(node.properties)) {
      // An object with its own properties: branch properties join as optional fields.
      let merged: Obj = base;
      for (const b of branches)
        if (isObj(b.node.properties))
          merged = mergeSchemas(merged, { properties: b.node.properties }, "anyOf");
      const s = [...new Set([...stack, ...branches.flatMap((b) => b.stack)])];
      return { type: { kind: "struct" }, nullable, fields: this.objectFields(merged, path, depth + 1, s) };
    }
    if (branches.length === 0) return nullable ? { type: scalar("unknown"), nullable: true } : undefined;
    if (branches.length > 1 && branches.every((b) => this.isObjectLike(b.node) && !hasBranches(b.node))) {
      // Object branches (e.g. a tagged union): one struct with every branch's fields;
      // a field is required only where every branch requires it.
      let merged: Obj = { type: "object", properties: {} };
      let req: Set<string> | undefined;
      for (const b of branches) {
        merged = mergeSchemas(merged, { properties: b.node.properties ?? {} }, "anyOf");
        const r = new Set(Array.isArray(b.node.required) ? (b.node.required as string[]) : []);
        const inAll = new Set(
          Object.keys(isObj(b.node.properties) ? b.node.properties : {}).filter((k) => r.has(k)),
        );
        req = req ? new Set([...req].filter((k) => inAll.has(k))) : inAll;
      }
      merged.required = [...(req ?? [])];
      const s = [...new Set(branches.flatMap((b) => b.stack))];
      return { type: { kind: "struct" }, nullable, fields: this.objectFields(merged, path, depth + 1, s) };
    }
    const shapes = branches.map((b) => this.shapeOf(b.node, path, depth, b.stack));
    const u = unifyTypes(shapes.map((s) => s.type));
    if (!u)
      this.budget.warn(
        `${path || "(root)"}: union of ${shapes.map((s) => formatType(s.type)).join(" | ")} read as json`,
      );
    const first = shapes[0]!;
    return {
      type: u ?? JSON_T,
      nullable: nullable || shapes.some((s) => s.nullable),
      ...(u && first.fields ? { fields: first.fields } : {}),
    };
  }

  private shape(sub: unknown, path: string, depth: number, stack: string[]): Shape {
    const d = this.deref(sub, stack);
    const m = this.mergeAllOf(d.node, d.stack);
    return this.shapeOf(m.node, path, depth, m.stack);
  }

  private shapeOf(node: Obj, path: string, depth: number, stack: string[]): Shape {
    const description = typeof node.description === "string" ? node.description : undefined;
    const renamed = node["x-renamed-from"] ?? node["x-renamedFrom"];
    const renamedFrom =
      typeof renamed === "string"
        ? [renamed]
        : Array.isArray(renamed)
          ? renamed.filter((r) => typeof r === "string")
          : undefined;
    const extra = {
      ...(description ? { description } : {}),
      ...(renamedFrom && renamedFrom.length > 0 ? { renamedFrom } : {}),
    };
    const openApiNullable = node.nullable === true;

    const combined = this.combineBranches(node, stack, path, depth);
    if (combined) return { ...combined, nullable: combined.nullable || openApiNullable, ...extra };

    const types = typeList(node);
    const nullable = openApiNullable || types.includes("null") || isNullOnly(node);
    const nonNull = types.filter((t) => t !== "null");
    if (nonNull.length === 0) {
      if (types.includes("null")) return { type: scalar("unknown"), nullable: true, ...extra };
      return { type: JSON_T, nullable, ...extra };
    }
    if (nonNull.length > 1) {
      const u = unifyTypes(nonNull.map((t) => this.scalarFor(t, node)));
      if (!u) this.budget.warn(`${path}: type [${nonNull.join(", ")}] read as json`);
      return { type: u ?? JSON_T, nullable, ...extra };
    }
    const t = nonNull[0]!;
    if (t === "object") {
      if (isObj(node.properties)) {
        return {
          type: { kind: "struct" },
          nullable,
          fields: this.objectFields(node, path, depth + 1, stack),
          ...extra,
        };
      }
      if (isObj(node.additionalProperties)) {
        const v = this.shape(node.additionalProperties, `${path}.*`, depth, stack);
        return { type: { kind: "map", key: scalar("string"), value: v.type }, nullable, ...extra };
      }
      return { type: JSON_T, nullable, ...extra };
    }
    if (t === "array") {
      if (Array.isArray(node.items) || Array.isArray(node.prefixItems)) {
        this.budget.warn(`${path}: tuple array read as array<json>`);
        return { type: { kind: "array", of: JSON_T }, nullable, ...extra };
      }
      if (node.items === undefined) return { type: { kind: "array", of: JSON_T }, nullable, ...extra };
      const el = this.shape(node.items, path, depth, stack);
      return {
        type: { kind: "array", of: el.type },
        nullable,
        ...(el.fields ? { fields: el.fields } : {}),
        ...extra,
      };
    }
    return { type: this.scalarFor(t, node), nullable, ...extra };
  }

  private scalarFor(t: string, node: Obj): TypeNode {
    const format = typeof node.format === "string" ? node.format : undefined;
    switch (t) {
      case "string": {
        if (format === "date-time") return scalar("timestamptz");
        if (format === "date") return scalar("date");
        if (format === "time") return scalar("time");
        if (format === "uuid") return scalar("uuid");
        if (format === "byte" || format === "binary" || node.contentEncoding === "base64")
          return scalar("bytes");
        if (typeof node.maxLength === "number" && Number.isInteger(node.maxLength))
          return scalar("varchar", [node.maxLength]);
        return scalar("string");
      }
      case "integer":
        if (format === "int32") return scalar("int32");
        if (format === "int16" || format === "int8") return scalar("int16");
        return scalar("int64");
      case "number":
        if (format === "float") return scalar("float32");
        return scalar("float64");
      case "boolean":
        return scalar("boolean");
      case "object":
        return JSON_T;
      case "array":
        return { kind: "array", of: JSON_T };
      default:
        return scalar(t.toLowerCase());
    }
  }
}

function typeList(n: Obj): string[] {
  if (typeof n.type === "string") return [n.type];
  if (Array.isArray(n.type)) return n.type.filter((t): t is string => typeof t === "string");
  if (isObj(n.properties) || isObj(n.additionalProperties)) return ["object"];
  if (n.items !== undefined || n.prefixItems !== undefined) return ["array"];
  const values = Array.isArray(n.enum) ? n.enum : "const" in n ? [n.const] : undefined;
  if (values) return [...new Set(values.map(jsonTypeOf))];
  return [];
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function isNullOnly(n: Obj): boolean {
  const t = typeList(n);
  return t.length > 0 && t.every((x) => x === "null");
}

function hasBranches(n: Obj): boolean {
  return Array.isArray(n.anyOf) || Array.isArray(n.oneOf);
}

function mergeSchemas(a: Obj, b: Obj, mode: "allOf" | "anyOf" = "allOf"): Obj {
  const out: Obj = { ...a, ...b };
  if (isObj(a.properties) || isObj(b.properties)) {
    const props: Obj = { ...(isObj(a.properties) ? a.properties : {}) };
    for (const [k, v] of Object.entries(isObj(b.properties) ? b.properties : {})) {
      // The same property in two branches: under allOf both constraints hold, under anyOf either.
      props[k] = isObj(props[k]) && isObj(v) ? { [mode]: [props[k], v] } : v;
    }
    out.properties = props;
  }
  const ra = Array.isArray(a.required) ? a.required : [];
  const rb = Array.isArray(b.required) ? b.required : [];
  if (ra.length + rb.length > 0) out.required = [...new Set([...ra, ...rb])];
  if (a.type !== undefined && b.type === undefined) out.type = a.type;
  return out;
}

function findAnchor(node: unknown, anchor: string, depth = 0): Obj | undefined {
  if (depth > 64 || typeof node !== "object" || node === null) return undefined;
  if (isObj(node) && (node.$anchor === anchor || node.$id === `#${anchor}`)) return node;
  for (const v of Object.values(node)) {
    const f = findAnchor(v, anchor, depth + 1);
    if (f) return f;
  }
  return undefined;
}
