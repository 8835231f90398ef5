/**
 * Dataset contracts at work: the schemas capability calls `checkDatasetSnapshot` when a schema
 * snapshot is posted and `checkLineageEvent` for each OpenLineage event (inside their transactions).
 * - field rules vs. the schema seen → `validation` incident `dataset-contract:<ns>/<name>:fields`,
 *   resolved by a later schema that satisfies the contract;
 * - row-count rules vs. OpenLineage `outputStatistics.rowCount` of a completed run's output →
 *   `…:rows`, resolved by a later write within range;
 * - freshness vs. the last write (a completed run's output, or a posted snapshot), checked on the
 *   5-minute tick (`checkDatasetFreshness`) → `…:freshness`, resolved by the next write or tick.
 * A rule dropped from the contract, or the contract deleted, resolves its incident (`resolveDroppedRules`).
 */
import type { Db } from "../../db/client.ts";
import { recordOccurrence, resolveByFingerprint } from "../../incidents/record.ts";
import type { CanonicalSchema } from "../canonical.ts";
import type { ParsedLineageEvent } from "../openlineage.ts";
import type { DatasetBatchRules, DatasetContract } from "./model.ts";
import { type BatchWording, checkBatchRules, type Violation } from "./rules.ts";
import { checkSchema } from "./schema-check.ts";
import { datasetContractsWithFreshness, getDatasetContract, recordDatasetWrite } from "./store.ts";

export interface DatasetRef {
  namespace: string;
  name: string;
}

type Part = "fields" | "rows" | "freshness";
export const datasetContractFingerprint = (d: DatasetRef, part: Part) =>
  `dataset-contract:${d.namespace}/${d.name}:${part}`;

const WRITE_WORDING: BatchWording = {
  rows: "in the last write",
  newest: "last write",
  none: "no write seen",
};

async function raise(
  db: Db,
  projectId: string,
  d: DatasetRef,
  part: Part,
  title: string,
  sample: object,
  at: Date,
) {
  await recordOccurrence(db, {
    projectId,
    kind: "validation",
    fingerprint: datasetContractFingerprint(d, part),
    title: `Dataset ${d.name}: ${title}`,
    severity: part === "fields" ? "error" : "warning",
    source: `dataset:${d.namespace}/${d.name}`,
    at,
    sample: { dataset: d.name, namespace: d.namespace, ...sample },
    labels: { dataset: d.name, namespace: d.namespace },
  });
}

const resolve = (db: Db, projectId: string, d: DatasetRef, part: Part, message: string, at: Date) =>
  resolveByFingerprint(db, projectId, "validation", datasetContractFingerprint(d, part), {
    at,
    actor: "vigil",
    message,
  });

/**
 * Resolves the incidents of rules the dataset's contract no longer has (`null`: the contract was
 * deleted, so every rule): nothing checks those rules again, so they would stay open for good.
 */
export async function resolveDroppedRules(
  db: Db,
  projectId: string,
  d: DatasetRef,
  batch: DatasetBatchRules | null,
  message: string,
): Promise<void> {
  const now = new Date();
  if (!batch) await resolve(db, projectId, d, "fields", message, now);
  if (!batch || (batch.minRows === undefined && batch.maxRows === undefined))
    await resolve(db, projectId, d, "rows", message, now);
  if (!batch || batch.freshnessSeconds === undefined)
    await resolve(db, projectId, d, "freshness", message, now);
}

/**
 * One observation of a dataset: its schema (when the source carried one) and whether it was a
 * write (with its row count when known). Does nothing for a dataset without a contract. Returns the
 * field-rule violations of the schema, when there was a schema and a contract.
 */
export async function checkDatasetSnapshot(
  db: Db,
  projectId: string,
  d: DatasetRef,
  seen: {
    schema?: CanonicalSchema;
    /** The schema's form carries nullability (not an OpenLineage facet). */
    knowsNulls?: boolean;
    at: Date;
    write: boolean;
    rowCount?: number;
    schemaVersion?: number;
  },
): Promise<{ violations?: Violation[] }> {
  const out: { violations?: Violation[] } = {};
  const contract = seen.write
    ? await recordDatasetWrite(db, projectId, d.namespace, d.name, seen.at, seen.rowCount)
    : await getDatasetContract(db, projectId, d.namespace, d.name);
  if (!contract) return out;
  if (seen.schema) {
    const violations = checkSchema(contract.fields, seen.schema, { knowsNulls: seen.knowsNulls ?? true });
    out.violations = violations;
    if (violations.length > 0) {
      const shown = violations.slice(0, 5).map((v) => `${v.field} ${v.message}`);
      if (violations.length > 5) shown.push(`${violations.length - 5} more`);
      await raise(
        db,
        projectId,
        d,
        "fields",
        `schema breaks the data contract (${shown.join("; ")})`,
        {
          violations,
          contractVersion: contract.version,
          ...(seen.schemaVersion ? { schemaVersion: seen.schemaVersion } : {}),
        },
        seen.at,
      );
    } else {
      await resolve(
        db,
        projectId,
        d,
        "fields",
        `schema satisfies contract version ${contract.version}`,
        seen.at,
      );
    }
  }
  if (!seen.write) return out;
  const { minRows, maxRows, freshnessSeconds } = contract.batch;
  if (seen.rowCount !== undefined && (minRows !== undefined || maxRows !== undefined)) {
    const checks = checkBatchRules(
      { minRows, maxRows },
      { rows: seen.rowCount, newest: null },
      seen.at,
      WRITE_WORDING,
    );
    const broken = checks.filter((c) => !c.ok);
    if (broken.length > 0)
      await raise(
        db,
        projectId,
        d,
        "rows",
        broken.map((b) => b.message).join("; "),
        { checks, rowCount: seen.rowCount },
        seen.at,
      );
    else await resolve(db, projectId, d, "rows", `the last write had ${seen.rowCount} rows`, seen.at);
  }
  if (freshnessSeconds !== undefined && contract.lastWrittenAt !== null) {
    const [fresh] = checkBatchRules(
      { freshnessSeconds },
      { rows: 0, newest: contract.lastWrittenAt },
      new Date(),
      WRITE_WORDING,
    );
    if (fresh?.ok) await resolve(db, projectId, d, "freshness", "written again", seen.at);
  }
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** OpenLineage's outputStatistics facet (an output facet; older producers put it among the facets). */
export function outputRowCount(rawDataset: unknown): number | undefined {
  if (!isObj(rawDataset)) return undefined;
  for (const facets of [rawDataset.outputFacets, rawDataset.facets]) {
    const stats = isObj(facets) ? facets.outputStatistics : undefined;
    const n = isObj(stats) ? stats.rowCount : undefined;
    if (typeof n === "number" && Number.isFinite(n) && n >= 0) return Math.floor(n);
  }
  return undefined;
}

/**
 * The datasets of one OpenLineage event: a completed run's outputs are writes (time = eventTime, rows
 * = outputStatistics.rowCount); every dataset whose schema facet was stored as a current snapshot
 * (not an out-of-order, stale one) is checked against its contract's field rules.
 */
export async function checkLineageEvent(
  db: Db,
  projectId: string,
  e: {
    raw: unknown;
    parsed: ParsedLineageEvent;
    at: Date;
    snapshots: readonly { namespace: string; name: string; version: number; stale: boolean }[];
  },
): Promise<void> {
  const { parsed } = e;
  const completed = parsed.kind === "run" && (parsed.eventType ?? "COMPLETE").toUpperCase() === "COMPLETE";
  const rawOutputs = isObj(e.raw) && Array.isArray(e.raw.outputs) ? e.raw.outputs : [];
  const k = (d: DatasetRef) => `${d.namespace}\u0000${d.name}`;
  const seen = new Map<
    string,
    { d: DatasetRef; schema?: CanonicalSchema; write: boolean; rowCount?: number; schemaVersion?: number }
  >();
  const current = new Map(e.snapshots.filter((s) => !s.stale).map((s) => [k(s), s.version]));
  // Outputs after inputs: what the job wrote wins over what it read (as for the snapshots).
  for (const d of [...parsed.inputs, ...parsed.outputs]) {
    // An empty field list is not a schema (integrations that know nothing send one), as for snapshots.
    if (d.schema && d.schema.fields.length > 0 && current.has(k(d)))
      seen.set(k(d), {
        d: { namespace: d.namespace, name: d.name },
        schema: d.schema,
        write: false,
        schemaVersion: current.get(k(d)),
      });
  }
  if (completed) {
    parsed.outputs.forEach((d, i) => {
      const entry = seen.get(k(d)) ?? { d: { namespace: d.namespace, name: d.name }, write: false };
      entry.write = true;
      const rows = outputRowCount(rawOutputs[i]);
      if (rows !== undefined) entry.rowCount = rows;
      seen.set(k(d), entry);
    });
  }
  // Sorted: each write locks its contract row, and concurrent events must take them in one order.
  for (const [, s] of [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    await checkDatasetSnapshot(db, projectId, s.d, {
      at: e.at,
      knowsNulls: false,
      write: s.write,
      ...(s.schema ? { schema: s.schema } : {}),
      ...(s.rowCount !== undefined ? { rowCount: s.rowCount } : {}),
      ...(s.schemaVersion ? { schemaVersion: s.schemaVersion } : {}),
    });
  }
}

/** The scheduled part: dataset contracts whose freshness rule is broken (no write recently enough). */
export async function checkDatasetFreshness(
  db: Db,
  now = new Date(),
): Promise<{ checked: number; failing: number }> {
  const contracts = await datasetContractsWithFreshness(db);
  let failing = 0;
  for (const c of contracts) {
    const d = { namespace: c.namespace, name: c.dataset };
    const check = freshness(c, now);
    if (check.ok) {
      await resolve(db, c.projectId, d, "freshness", check.message, now);
      continue;
    }
    failing++;
    await raise(
      db,
      c.projectId,
      d,
      "freshness",
      check.message,
      { lastWrittenAt: c.lastWrittenAt, freshnessSeconds: c.batch.freshnessSeconds },
      now,
    );
  }
  return { checked: contracts.length, failing };
}

/** Never written since the contract was declared: the age counts from the declaration. */
function freshness(c: DatasetContract, now: Date): { ok: boolean; message: string } {
  const rules = { freshnessSeconds: c.batch.freshnessSeconds };
  if (c.lastWrittenAt !== null)
    return checkBatchRules(rules, { rows: 0, newest: c.lastWrittenAt }, now, WRITE_WORDING)[0]!;
  return checkBatchRules(rules, { rows: 0, newest: c.createdAt }, now, {
    ...WRITE_WORDING,
    newest: "no write seen; contract declared",
  })[0]!;
}
