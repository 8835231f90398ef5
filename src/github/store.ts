/** Queries of the GitHub capability: the App's stored credentials, installations, deliveries, check runs. */
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  githubAppCredentials,
  githubCheckRuns,
  githubInstallations,
  githubRepositories,
  githubWebhookDeliveries,
  projects,
} from "../db/schema/index.ts";

// ---- the App (manifest flow) ----

export type StoredAppCredentials = typeof githubAppCredentials.$inferSelect;

export async function storedAppCredentials(db: Db): Promise<StoredAppCredentials | undefined> {
  const [row] = await db.select().from(githubAppCredentials).limit(1);
  return row;
}

/** Stores the App; false when one is stored already (the first manifest flow to finish wins). */
export async function storeAppCredentials(
  db: Db,
  row: Omit<typeof githubAppCredentials.$inferInsert, "id" | "createdAt">,
): Promise<boolean> {
  const inserted = await db
    .insert(githubAppCredentials)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: githubAppCredentials.id });
  return inserted.length > 0;
}

// ---- installations ----

export type InstallationRow = typeof githubInstallations.$inferSelect;

export interface InstallationInfo {
  id: number;
  accountLogin?: string | null;
  accountType?: string | null;
  repositorySelection?: string | null;
  suspendedAt?: Date | null;
}

/** Creates or refreshes an installation; its link to a project is kept. */
export async function upsertInstallation(db: Db, info: InstallationInfo): Promise<void> {
  const values = {
    id: info.id,
    ...(info.accountLogin !== undefined ? { accountLogin: info.accountLogin } : {}),
    ...(info.accountType !== undefined ? { accountType: info.accountType } : {}),
    ...(info.repositorySelection !== undefined ? { repositorySelection: info.repositorySelection } : {}),
    ...(info.suspendedAt !== undefined ? { suspendedAt: info.suspendedAt } : {}),
  };
  const { id: _id, ...update } = values;
  await db
    .insert(githubInstallations)
    .values(values)
    .onConflictDoUpdate({ target: githubInstallations.id, set: { ...update, updatedAt: sql`now()` } });
}

export async function getInstallation(db: Db, id: number): Promise<InstallationRow | undefined> {
  const [row] = await db.select().from(githubInstallations).where(eq(githubInstallations.id, id));
  return row;
}

/** Forgets an installation and its repositories (the check runs it had stay). */
export async function deleteInstallation(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .delete(githubInstallations)
    .where(eq(githubInstallations.id, id))
    .returning({ id: githubInstallations.id });
  return rows.length > 0;
}

export async function linkInstallation(
  db: Db,
  id: number,
  projectId: string,
  by: "install-flow" | "cli",
): Promise<void> {
  await db
    .insert(githubInstallations)
    .values({ id, projectId, linkedAt: new Date(), linkedBy: by })
    .onConflictDoUpdate({
      target: githubInstallations.id,
      set: { projectId, linkedAt: sql`now()`, linkedBy: by, updatedAt: sql`now()` },
    });
}

/** Unlinks an installation (from `projectId` only, when given); false when nothing was linked. */
export async function unlinkInstallation(db: Db, id: number, projectId?: string): Promise<boolean> {
  const rows = await db
    .update(githubInstallations)
    .set({ projectId: null, linkedAt: null, linkedBy: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(githubInstallations.id, id),
        projectId ? eq(githubInstallations.projectId, projectId) : sql`project_id is not null`,
      ),
    )
    .returning({ id: githubInstallations.id });
  return rows.length > 0;
}

export interface RepositoryInfo {
  id: number;
  fullName: string;
  private: boolean;
}

export async function addRepositories(
  db: Db,
  installationId: number,
  repos: RepositoryInfo[],
): Promise<void> {
  if (repos.length === 0) return;
  await db
    .insert(githubRepositories)
    .values(repos.map((r) => ({ installationId, repoId: r.id, fullName: r.fullName, private: r.private })))
    .onConflictDoUpdate({
      target: [githubRepositories.installationId, githubRepositories.repoId],
      set: { fullName: sql`excluded.full_name`, private: sql`excluded.private` },
    });
}

export async function removeRepositories(db: Db, installationId: number, repoIds: number[]): Promise<void> {
  if (repoIds.length === 0) return;
  await db
    .delete(githubRepositories)
    .where(
      and(eq(githubRepositories.installationId, installationId), inArray(githubRepositories.repoId, repoIds)),
    );
}

export interface InstallationListing extends InstallationRow {
  project: string | null;
  repositories: { id: number; fullName: string; private: boolean }[];
}

/** Installations with their repositories: a project's, or (no project) every one. */
export async function listInstallations(db: Db, projectId?: string): Promise<InstallationListing[]> {
  const rows = await db
    .select({ installation: githubInstallations, project: projects.name })
    .from(githubInstallations)
    .leftJoin(projects, eq(projects.id, githubInstallations.projectId))
    .where(projectId ? eq(githubInstallations.projectId, projectId) : undefined)
    .orderBy(githubInstallations.id);
  if (rows.length === 0) return [];
  const repos = await db
    .select()
    .from(githubRepositories)
    .where(
      inArray(
        githubRepositories.installationId,
        rows.map((r) => r.installation.id),
      ),
    )
    .orderBy(githubRepositories.fullName);
  return rows.map((r) => ({
    ...r.installation,
    project: r.project,
    repositories: repos
      .filter((x) => x.installationId === r.installation.id)
      .map((x) => ({ id: x.repoId, fullName: x.fullName, private: x.private })),
  }));
}

export async function findProjectByName(
  db: Db,
  name: string,
): Promise<{ id: string; name: string } | undefined> {
  const [row] = await db
    .select({ id: projects.id, name: projects.name })
    .from(projects)
    .where(eq(projects.name, name));
  return row;
}

// ---- webhook deliveries ----

export interface DeliveryIn {
  deliveryId: string;
  event: string;
  action: string | null;
  installationId: number | null;
  payload: unknown;
}

/** Records a delivery; false when GitHub delivered it before (a redelivery). */
export async function recordDelivery(db: Db, delivery: DeliveryIn): Promise<boolean> {
  const rows = await db
    .insert(githubWebhookDeliveries)
    .values(delivery)
    .onConflictDoNothing()
    .returning({ id: githubWebhookDeliveries.deliveryId });
  return rows.length > 0;
}

export async function forgetDelivery(db: Db, deliveryId: string): Promise<void> {
  await db.delete(githubWebhookDeliveries).where(eq(githubWebhookDeliveries.deliveryId, deliveryId));
}

export async function getDelivery(db: Db, deliveryId: string) {
  const [row] = await db
    .select()
    .from(githubWebhookDeliveries)
    .where(eq(githubWebhookDeliveries.deliveryId, deliveryId));
  return row;
}

export async function finishDelivery(
  db: Db,
  deliveryId: string,
  status: "done" | "failed",
  error?: string,
): Promise<void> {
  await db
    .update(githubWebhookDeliveries)
    .set({ status, error: error ?? null, processedAt: sql`now()` })
    .where(eq(githubWebhookDeliveries.deliveryId, deliveryId));
}

// ---- check runs ----

export type CheckRunRow = typeof githubCheckRuns.$inferSelect;

export async function insertCheckRun(db: Db, row: typeof githubCheckRuns.$inferInsert): Promise<string> {
  const [inserted] = await db.insert(githubCheckRuns).values(row).returning({ id: githubCheckRuns.id });
  return inserted!.id;
}

export async function updateCheckRun(
  db: Db,
  id: string,
  set: Partial<
    Pick<CheckRunRow, "status" | "conclusion" | "title" | "summary" | "annotations" | "completedAt">
  >,
): Promise<void> {
  await db.update(githubCheckRuns).set(set).where(eq(githubCheckRuns.id, id));
}

export async function listCheckRuns(
  db: Db,
  projectId: string,
  filter: { repository?: string; pullNumber?: number; limit: number },
): Promise<CheckRunRow[]> {
  return db
    .select()
    .from(githubCheckRuns)
    .where(
      and(
        eq(githubCheckRuns.projectId, projectId),
        filter.repository ? eq(githubCheckRuns.repository, filter.repository) : undefined,
        filter.pullNumber !== undefined ? eq(githubCheckRuns.pullNumber, filter.pullNumber) : undefined,
      ),
    )
    .orderBy(desc(githubCheckRuns.createdAt))
    .limit(filter.limit);
}

// ---- retention ----

/** Deletes deliveries received and check runs created before the cutoffs; returns how many. */
export async function deleteOld(db: Db, cutoff: { deliveries: Date; checkRuns: Date }) {
  const deliveries = await db
    .delete(githubWebhookDeliveries)
    .where(lt(githubWebhookDeliveries.receivedAt, cutoff.deliveries))
    .returning({ id: githubWebhookDeliveries.deliveryId });
  const checkRuns = await db
    .delete(githubCheckRuns)
    .where(lt(githubCheckRuns.createdAt, cutoff.checkRuns))
    .returning({ id: githubCheckRuns.id });
  return { deliveries: deliveries.length, checkRuns: checkRuns.length };
}
