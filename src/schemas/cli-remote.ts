import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { type Command, Option } from "commander";
import { type ApiClient, ApiRequestError, apiClient } from "../http/api-client.ts";
import { SCHEMA_FORMATS, type SchemaFormat } from "./canonical.ts";
import { type CliResult, describeChange, formatDiffTable, printResult } from "./cli-format.ts";
import type { SchemaChange } from "./diff.ts";
import type { ImpactedNode, PathStep } from "./impact-paths.ts";

/**
 * `vigil schema push | history | impact` and `vigil lineage send`: the stored side of schemas, as
 * clients of a running Vigil (VIGIL_URL, VIGIL_API_KEY). Exit codes: 0 done, 1 `push` stored a
 * breaking version (so CI can gate on it), 2 anything went wrong (unreadable file, the server
 * unreachable or answering an error) — never 1, so an outage cannot pass for a verdict.
 */

type Ref = { namespace: string; name: string };
interface IncidentOut {
  id: string;
  created: boolean;
  impacted: ImpactedNode[];
  truncated: boolean;
}
interface SnapshotOut {
  dataset: Ref;
  version: number;
  created: boolean;
  previousVersion?: number;
  breaking: boolean;
  changes: SchemaChange[];
  format: string;
  warnings: string[];
  incident?: IncidentOut;
  resolvedIncidents?: string[];
}
interface ChangesOut {
  dataset: Ref;
  versions: {
    version: number;
    previousVersion: number;
    breaking: boolean;
    source: string;
    createdAt: string;
    changes: SchemaChange[];
  }[];
}
interface SchemaOut {
  version: number;
  source: string;
  createdAt: string;
  schema: { fields: unknown[] };
}
interface ImpactOut {
  dataset: Ref;
  fields: string[];
  unknownFields: string[];
  impacted: ImpactedNode[];
  truncated: boolean;
}
interface EventOut {
  duplicate: boolean;
  snapshots: { namespace: string; name: string; version: number; created: boolean; breaking: boolean }[];
  incidents: { id: string; created: boolean; dataset: Ref; impacted: number }[];
  resolvedIncidents: string[];
}

/** Same cap as the server's (MAX_EVENTS_PER_REQUEST): bigger files go in several requests. */
const EVENTS_PER_REQUEST = 1000;

class InputError extends Error {}

function read(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

const datasetPath = (dataset: string, rest: string) =>
  `/api/v1/datasets/${encodeURIComponent(dataset)}/${rest}`;
const label = (d: Ref) => `${d.name} (${d.namespace})`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Runs a command, turning every failure into exit 2 with one line on stderr. */
async function remote(command: string, run: () => Promise<CliResult>): Promise<CliResult> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApiRequestError) {
      const code = e.code ? ` (${e.code})` : "";
      const details = e.details === undefined ? "" : `\n${JSON.stringify(e.details)}`;
      return { exitCode: 2, stdout: "", stderr: `vigil ${command}: ${e.message}${code}${details}\n` };
    }
    // ApiUnreachableError, InputError, a missing VIGIL_API_KEY: one line, no stack.
    if (e instanceof Error) return { exitCode: 2, stdout: "", stderr: `vigil ${command}: ${e.message}\n` };
    throw e;
  }
}

/** `orders.plan → job etl/build → dataset marts.x` */
export function formatPath(path: PathStep[]): string {
  return path
    .map((s) => {
      const name = s.namespace === "default" ? s.name : `${s.namespace}/${s.name}`;
      const via = s.via ? ` (via ${s.via.name})` : "";
      return `${s.kind} ${name}${s.field ? `.${s.field}` : ""}${via}`;
    })
    .join(" → ");
}

export function formatImpacted(nodes: ImpactedNode[], truncated: boolean): string {
  if (nodes.length === 0) return "Nothing downstream reads these fields.\n";
  const lines = nodes.map((n) => {
    const fields = n.kind === "dataset" ? (n.fields.length ? ` [${n.fields.join(", ")}]` : " [all]") : "";
    return `  ${n.kind.padEnd(7)} ${n.namespace}/${n.name}${fields}  (depth ${n.depth})\n    ${formatPath(n.path)}`;
  });
  const more = truncated ? "  … the walk hit its depth or size cap: there may be more\n" : "";
  return `${lines.join("\n")}\n${more}`;
}

export interface PushArgs {
  dataset: string;
  file: string;
  namespace?: string;
  format?: SchemaFormat;
  table?: string;
  json?: boolean;
}

/** JSON files go as JSON (the server says precisely what is wrong); text by its extension. */
function bodyOf(file: string, text: string): { text: string; contentType: string } {
  try {
    JSON.parse(text);
    return { text, contentType: "application/json" };
  } catch {
    const ext = extname(file).toLowerCase();
    return {
      text,
      contentType: ext === ".csv" ? "text/csv" : ext === ".sql" ? "application/sql" : "text/plain",
    };
  }
}

export function runSchemaPush(client: () => ApiClient, args: PushArgs): Promise<CliResult> {
  return remote("schema push", async () => {
    const body = bodyOf(args.file, read(args.file));
    const r = await client().request<SnapshotOut>("POST", datasetPath(args.dataset, "schema"), {
      ...body,
      query: { namespace: args.namespace, format: args.format, table: args.table },
    });
    const exitCode = r.created && r.breaking ? 1 : 0;
    if (args.json) return { exitCode, stdout: `${JSON.stringify(r, null, 2)}\n`, stderr: "" };
    const out: string[] = [];
    if (!r.created) out.push(`${label(r.dataset)}: unchanged, still v${r.version} (same content)`);
    else if (r.previousVersion === undefined)
      out.push(`${label(r.dataset)}: v${r.version}, the first version`);
    else
      out.push(
        `${label(r.dataset)}: v${r.version} stored (from v${r.previousVersion})${r.breaking ? " — BREAKING" : ""}`,
        "",
        formatDiffTable({ breaking: r.breaking, changes: r.changes }).trimEnd(),
      );
    for (const w of r.warnings) out.push(`warning: ${w}`);
    if (r.incident) {
      out.push(
        "",
        `Schema incident ${r.incident.id} ${r.incident.created ? "opened" : "updated"}; downstream of the broken fields:`,
        formatImpacted(r.incident.impacted, r.incident.truncated).trimEnd(),
      );
    }
    if (r.resolvedIncidents?.length)
      out.push("", `Resolved (this version fixes them): ${r.resolvedIncidents.join(", ")}`);
    return { exitCode, stdout: `${out.join("\n")}\n`, stderr: "" };
  });
}

export interface HistoryArgs {
  dataset: string;
  namespace?: string;
  breaking?: boolean;
  limit?: number;
  json?: boolean;
}

export function runSchemaHistory(client: () => ApiClient, args: HistoryArgs): Promise<CliResult> {
  return remote("schema history", async () => {
    const c = client();
    const query = { namespace: args.namespace };
    const h = await c.get<ChangesOut>(datasetPath(args.dataset, "changes"), {
      ...query,
      ...(args.breaking ? { breaking: "true" } : {}),
      limit: args.limit,
    });
    // The dataset exists (changes answered): a 404 here means it was seen in lineage, no schema yet.
    const current = await c.get<SchemaOut>(datasetPath(args.dataset, "schema"), query).catch((e) => {
      if (e instanceof ApiRequestError && e.status === 404) return undefined;
      throw e;
    });
    if (args.json)
      return { exitCode: 0, stdout: `${JSON.stringify({ current, ...h }, null, 2)}\n`, stderr: "" };
    const out = [
      current
        ? `${label(h.dataset)}: current v${current.version} (${plural(current.schema.fields.length, "field")}, ${current.source}, ${current.createdAt})`
        : `${label(h.dataset)}: no schema yet`,
    ];
    for (const v of h.versions) {
      out.push(
        "",
        `v${v.version}  ${v.createdAt}  ${v.source}  ${v.breaking ? "BREAKING" : "compatible"}  ${plural(v.changes.length, "change")}`,
      );
      for (const ch of v.changes)
        out.push(
          `  ${ch.breaking ? "BREAKING" : "ok      "}  ${ch.kind}  ${ch.path}  ${describeChange(ch)}  — ${ch.reason}`,
        );
    }
    // Version 1 has no changes, so /changes leaves it out; it is the end of a full history.
    const oldest = h.versions.at(-1)?.version ?? current?.version;
    if (current && !args.breaking && oldest !== undefined && oldest <= 2)
      out.push("", "v1  the first version");
    return { exitCode: 0, stdout: `${out.join("\n")}\n`, stderr: "" };
  });
}

export interface ImpactArgs {
  dataset: string;
  fields?: string;
  namespace?: string;
  json?: boolean;
}

export function runSchemaImpact(client: () => ApiClient, args: ImpactArgs): Promise<CliResult> {
  return remote("schema impact", async () => {
    const r = await client().get<ImpactOut>(datasetPath(args.dataset, "impact"), {
      namespace: args.namespace,
      fields: args.fields,
    });
    if (args.json) return { exitCode: 0, stdout: `${JSON.stringify(r, null, 2)}\n`, stderr: "" };
    const what = r.fields.length ? `fields ${r.fields.join(", ")}` : "the whole dataset";
    const out = [`Impact of ${label(r.dataset)}, ${what}: ${plural(r.impacted.length, "downstream node")}`];
    if (r.unknownFields.length)
      out.push(`(not in the current schema, followed anyway: ${r.unknownFields.join(", ")})`);
    out.push(formatImpacted(r.impacted, r.truncated).trimEnd());
    return { exitCode: 0, stdout: `${out.join("\n")}\n`, stderr: "" };
  });
}

/**
 * Events of a file: one JSON event, a JSON array of events, or NDJSON (one event per line, as the
 * OpenLineage file transport writes). Every line is checked before anything is sent.
 */
export function parseEvents(file: string, text: string): unknown[] {
  if (text.trim() === "") throw new InputError(`${file}: empty`);
  try {
    const whole = JSON.parse(text) as unknown;
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    const events: unknown[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        events.push(JSON.parse(line));
      } catch (e) {
        throw new InputError(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
      }
    });
    return events;
  }
}

export function runLineageSend(
  client: () => ApiClient,
  args: { files: string[]; json?: boolean },
): Promise<CliResult> {
  return remote("lineage send", async () => {
    const events = args.files.flatMap((f) => parseEvents(f, read(f)));
    if (events.length === 0) throw new InputError("no events in the input");
    const c = client();
    const results: EventOut[] = [];
    for (let i = 0; i < events.length; i += EVENTS_PER_REQUEST) {
      try {
        const r = await c.post<{ events: EventOut[] }>(
          "/api/v1/lineage",
          events.slice(i, i + EVENTS_PER_REQUEST),
        );
        results.push(...r.events);
      } catch (e) {
        // Each request is all or nothing; earlier ones are stored, and resending them is harmless.
        if (i > 0 && e instanceof Error)
          e.message += ` (events ${i + 1}–${Math.min(i + EVENTS_PER_REQUEST, events.length)}; the ${i} before were stored)`;
        throw e;
      }
    }
    if (args.json)
      return { exitCode: 0, stdout: `${JSON.stringify({ events: results }, null, 2)}\n`, stderr: "" };
    const duplicates = results.filter((r) => r.duplicate).length;
    const versions = results.flatMap((r) => r.snapshots.filter((s) => s.created));
    const incidents = results.flatMap((r) => r.incidents);
    const resolved = results.flatMap((r) => r.resolvedIncidents ?? []);
    const out = [
      `${plural(results.length, "event")} sent: ${results.length - duplicates} applied, ${duplicates} already stored`,
      `${plural(versions.length, "new schema version")}, ${versions.filter((v) => v.breaking).length} breaking`,
    ];
    for (const v of versions)
      out.push(`  ${v.namespace}/${v.name} v${v.version}${v.breaking ? " BREAKING" : ""}`);
    for (const inc of incidents)
      out.push(
        `Schema incident ${inc.id} ${inc.created ? "opened" : "updated"}: ${label(inc.dataset)}, ${plural(inc.impacted, "downstream node")}`,
      );
    if (resolved.length) out.push(`Resolved (fixed by a new version): ${resolved.join(", ")}`);
    return { exitCode: 0, stdout: `${out.join("\n")}\n`, stderr: "" };
  });
}

const SERVER = "Talks to a running Vigil: VIGIL_URL (default http://localhost:8080) and VIGIL_API_KEY.";
const client = () => apiClient();

/** push / history / impact under `vigil schema` (created by registerSchemaCommands). */
export function registerRemoteSchemaCommands(schema: Command): void {
  schema
    .command("push")
    .description(
      "Store a schema snapshot of DATASET (any form `schema diff` reads; '-' reads stdin) and print the " +
        "classified diff against the previous version and, when it breaks, what downstream reads the broken " +
        "fields. Exit 1 when the new version is breaking, 2 on any error",
    )
    .argument("<dataset>", "dataset name (e.g. analytics.public.orders)")
    .argument("<file>", "the schema file")
    .option("--namespace <ns>", "the dataset's namespace (default: `default`)")
    .addOption(
      new Option("--format <format>", "input form (detected when omitted)").choices([...SCHEMA_FORMATS]),
    )
    .option("--table <name>", "which table, when the input describes several")
    .option("--json", "print the server's answer as JSON")
    .addHelpText(
      "after",
      `\n${SERVER}\n\nExamples:\n  vigil schema push orders orders.schema.json\n` +
        `  psql -c "select * from information_schema.columns where table_name='orders'" --csv | vigil schema push orders - --format information_schema`,
    )
    .action(async (dataset: string, file: string, opts: Omit<PushArgs, "dataset" | "file">) =>
      printResult(await runSchemaPush(client, { dataset, file, ...opts })),
    );

  schema
    .command("history")
    .description("A dataset's schema versions, newest first, with each version's classified changes")
    .argument("<dataset>")
    .option("--namespace <ns>", "the dataset's namespace (when the name exists in several)")
    .option("--breaking", "only versions with a breaking change")
    .option("--limit <n>", "at most this many versions", (v) => Number.parseInt(v, 10))
    .option("--json", "print JSON")
    .addHelpText("after", `\n${SERVER}`)
    .action(async (dataset: string, opts: Omit<HistoryArgs, "dataset">) =>
      printResult(await runSchemaHistory(client, { dataset, ...opts })),
    );

  schema
    .command("impact")
    .description("Every downstream dataset, job and model that reads these fields of DATASET, with the path")
    .argument("<dataset>")
    .option("--fields <a,b>", "comma-separated field paths (dotted for nested); default: the whole dataset")
    .option("--namespace <ns>", "the dataset's namespace (when the name exists in several)")
    .option("--json", "print JSON")
    .addHelpText("after", `\n${SERVER}\n\nExample:\n  vigil schema impact orders --fields amount,customer.id`)
    .action(async (dataset: string, opts: Omit<ImpactArgs, "dataset">) =>
      printResult(await runSchemaImpact(client, { dataset, ...opts })),
    );
}

export function registerLineageCommands(program: Command): void {
  const lineage = program.command("lineage").description("OpenLineage events and the lineage graph");
  lineage
    .command("send")
    .description(
      "Send OpenLineage events (RunEvent, JobEvent, DatasetEvent) from files: one JSON event, a JSON array, " +
        "or NDJSON (one event per line, as the file transport writes); '-' reads stdin. Resending is " +
        "harmless (events are idempotent). Exit 2 on any error",
    )
    .argument("<files...>")
    .option("--json", "print the server's answers as JSON")
    .addHelpText("after", `\n${SERVER}\n\nExample:\n  vigil lineage send events.ndjson`)
    .action(async (files: string[], opts: { json?: boolean }) =>
      printResult(await runLineageSend(client, { files, ...opts })),
    );
}
