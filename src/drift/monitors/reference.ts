/**
 * Moving a monitor's reference to a model version: what a retraining loop does once the new
 * version is trained, so the monitor compares traffic with the data the new model learnt from.
 * Changing the monitor row invalidates its reference cache (its key includes updated_at).
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { monitors } from "../../db/schema/index.ts";
import type { ReferenceSpec } from "./model.ts";

/**
 * Makes `version` the monitor's reference; returns the reference it had (undefined: no such
 * monitor). Uploaded reference rows are kept, so moving back to them needs no new upload.
 */
export async function rebaseReference(
  db: Db,
  projectId: string,
  monitorId: string,
  version: string,
): Promise<ReferenceSpec | undefined> {
  const [before] = await db
    .select({ reference: monitors.reference })
    .from(monitors)
    .where(and(eq(monitors.projectId, projectId), eq(monitors.id, monitorId)))
    .for("update");
  if (!before) return undefined;
  const reference: ReferenceSpec = { kind: "version", version };
  await db
    .update(monitors)
    .set({ reference, updatedAt: new Date() })
    .where(and(eq(monitors.projectId, projectId), eq(monitors.id, monitorId)));
  return before.reference as ReferenceSpec;
}
