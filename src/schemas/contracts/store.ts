/**
 * Queries of dataset contracts: CRUD, the last write of a contracted dataset, and the contracts
 * with a freshness rule for the scheduled check.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { datasetContracts } from "../../db/schema/index.ts";
import type { DatasetBatchRules, DatasetContract, DatasetContractIn } from "./model.ts";

type Row = typeof datasetContracts.$inferSelect;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toDatasetContract(row: Row): DatasetContract {
  return {
    id: row.id,
    dataset: row.dataset,
    namespace: row.namespace,
    fields: row.fields as DatasetContract["fields"],
    batch: row.batch as DatasetBatchRules,
    version: row.version,
    lastWrittenAt: iso(row.lastWrittenAt),
    lastRowCount: row.lastRowCount === null ? null : Number(row.lastRowCount),
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
}

const key = (projectId: string, namespace: string, dataset: string) =>
  and(
    eq(datasetContracts.projectId, projectId),
    eq(datasetContracts.namespace, namespace),
    eq(datasetContracts.dataset, dataset),
  );

export async function getDatasetContract(
  db: Db,
  projectId: string,
  namespace: string,
  dataset: string,
): Promise<DatasetContract | undefined> {
  const [row] = await db
    .select()
    .from(datasetContracts)
    .where(key(projectId, namespace, dataset));
  return row ? toDatasetContract(row) : undefined;
}

export async function listDatasetContracts(db: Db, projectId: string): Promise<DatasetContract[]> {
  const rows = await db
    .select()
    .from(datasetContracts)
    .where(eq(datasetContracts.projectId, projectId))
    .orderBy(datasetContracts.namespace, datasetContracts.dataset);
  return rows.map(toDatasetContract);
}

/** Creates or replaces a dataset's contract (version + 1); the last write seen is kept. */
export async function putDatasetContract(
  db: Db,
  projectId: string,
  namespace: string,
  dataset: string,
  input: DatasetContractIn,
): Promise<{ contract: DatasetContract; created: boolean }> {
  const values = { projectId, namespace, dataset, fields: input.fields, batch: input.batch ?? {} };
  const [row] = await db
    .insert(datasetContracts)
    .values(values)
    .onConflictDoUpdate({
      target: [datasetContracts.projectId, datasetContracts.namespace, datasetContracts.dataset],
      set: {
        fields: values.fields,
        batch: values.batch,
        version: sql`${datasetContracts.version} + 1`,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return { contract: toDatasetContract(row!), created: row!.version === 1 };
}

export async function deleteDatasetContract(
  db: Db,
  projectId: string,
  namespace: string,
  dataset: string,
): Promise<boolean> {
  const rows = await db
    .delete(datasetContracts)
    .where(key(projectId, namespace, dataset))
    .returning({ id: datasetContracts.id });
  return rows.length > 0;
}

/**
 * Notes a write of the dataset (its time, and its row count when known) on its contract, if it has
 * one, and returns the contract. Events arrive out of order: the latest write wins.
 */
export async function recordDatasetWrite(
  db: Db,
  projectId: string,
  namespace: string,
  dataset: string,
  at: Date,
  rowCount: number | undefined,
): Promise<DatasetContract | undefined> {
  const when = at.toISOString();
  const newer = sql`(${datasetContracts.lastWrittenAt} is null or ${datasetContracts.lastWrittenAt} <= ${when}::timestamptz)`;
  const [row] = await db
    .update(datasetContracts)
    .set({
      lastWrittenAt: sql`case when ${newer} then ${when}::timestamptz else ${datasetContracts.lastWrittenAt} end`,
      lastRowCount:
        rowCount === undefined
          ? sql`${datasetContracts.lastRowCount}`
          : sql`case when ${newer} then ${rowCount}::bigint else ${datasetContracts.lastRowCount} end`,
    })
    .where(key(projectId, namespace, dataset))
    .returning();
  return row ? toDatasetContract(row) : undefined;
}

/** Every project's dataset contracts with a freshness rule (the scheduled check). */
export async function datasetContractsWithFreshness(
  db: Db,
): Promise<(DatasetContract & { projectId: string })[]> {
  const rows = await db
    .select()
    .from(datasetContracts)
    .where(sql`${datasetContracts.batch} ? 'freshnessSeconds'`);
  return rows.map((r) => ({ ...toDatasetContract(r), projectId: r.projectId }));
}
