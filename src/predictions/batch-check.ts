/**
 * The contracts' batch rules, checked on a schedule (they are about what did *not* arrive, so no
 * ingest request can see them): a broken rule opens or updates the model's batch `validation`
 * incident; when every rule holds again it is resolved. Run every five minutes (jobs.ts).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { recordOccurrence, resolveByFingerprint } from "../incidents/record.ts";
import { checkBatchRules } from "../schemas/contracts/rules.ts";
import type { BatchRules } from "./model.ts";
import { run, windowCounts } from "./store.ts";

export const batchFingerprint = (model: string) => `predictions:${model}:batch`;

export async function checkContractBatchRules(
  db: Db,
  now = new Date(),
): Promise<{ checked: number; failing: number }> {
  const contracts = await run<{ project_id: string; model: string; batch: Partial<BatchRules> }>(
    db,
    sql`select project_id, model, batch from contracts
        where batch ?| array['minRows', 'maxRows', 'freshnessSeconds']`,
  );
  let failing = 0;
  for (const c of contracts) {
    const rules: BatchRules = { windowSeconds: 3600, ...c.batch };
    const since = new Date(now.getTime() - rules.windowSeconds * 1000);
    const checks = checkBatchRules(rules, await windowCounts(db, c.project_id, c.model, since), now);
    const broken = checks.filter((x) => !x.ok);
    if (broken.length) {
      failing++;
      await recordOccurrence(db, {
        projectId: c.project_id,
        kind: "validation",
        fingerprint: batchFingerprint(c.model),
        title: `Model ${c.model}: ${broken.map((b) => b.message).join("; ")}`,
        severity: "warning",
        source: `model:${c.model}`,
        at: now,
        sample: { model: c.model, checks },
        labels: { model: c.model },
      });
    } else {
      await resolveByFingerprint(db, c.project_id, "validation", batchFingerprint(c.model), {
        at: now,
        actor: "vigil",
        message: "batch rules hold again",
      });
    }
  }
  return { checked: contracts.length, failing };
}
