import { inArray, sql } from "drizzle-orm";
import { rowsOf } from "../db/rows.ts";
import { incidents } from "../db/schema/index.ts";
import { withTransaction } from "../db/transaction.ts";
import type { AppDeps } from "../deps.ts";
import { DELIVER_JOB } from "./jobs-names.ts";
import type { DeliveryEvent } from "./model.ts";
import { matchingChannels, type RoutingRule, scheduleAt } from "./routing.ts";
import {
  activeRules,
  lastScheduled,
  strandedDeliveries,
  touchDeliveries,
  upsertPendingDelivery,
} from "./store.ts";

const BATCH = 200;

interface ToEnqueue {
  id: string;
  notBefore: Date;
  maxAttempts: number;
  retryDelaySeconds: number;
}

interface PickedEvent {
  id: number | string;
  incident_id: string;
  project_id: string;
  type: string;
  at: Date | string;
  actor: string | null;
  message: string | null;
}

/**
 * Routes incident events that wait for dispatch into deliveries. Events are claimed with
 * FOR UPDATE SKIP LOCKED and cleared in the same transaction that writes the deliveries, so each
 * event is routed exactly once however many workers sweep. Jobs are enqueued after commit.
 */
export async function dispatchPending(deps: Pick<AppDeps, "database" | "jobs" | "log">) {
  const { database } = deps;
  const enqueue: ToEnqueue[] = [];
  let events = 0;
  for (;;) {
    const n = await withTransaction(database.db, async (db) => {
      const picked = rowsOf<PickedEvent>(
        await db.execute(sql`
          with picked as (
            select id from incident_events where pending_dispatch order by id limit ${BATCH} for update skip locked
          )
          update incident_events e set pending_dispatch = false from picked where e.id = picked.id
          returning e.id, e.incident_id, e.project_id, e.type, e.at, e.actor, e.message`),
      );
      if (picked.length === 0) return 0;
      picked.sort((a, b) => Number(a.id) - Number(b.id));
      const incidentIds = [...new Set(picked.map((e) => e.incident_id))];
      const found = await db
        .select({ id: incidents.id, kind: incidents.kind, severity: incidents.severity })
        .from(incidents)
        .where(inArray(incidents.id, incidentIds));
      const byId = new Map(found.map((i) => [i.id, i]));
      const rules = await activeRules(db, [...new Set(picked.map((e) => e.project_id))]);
      const scheduled = await lastScheduled(db, incidentIds);
      const now = new Date();
      for (const e of picked) {
        const incident = byId.get(e.incident_id);
        if (!incident) continue;
        const projectRules = rules.filter((r) => r.projectId === e.project_id);
        const channels = matchingChannels(projectRules as RoutingRule[], incident, e.type);
        for (const channelId of channels) {
          const settings = projectRules.find((r) => r.channelId === channelId)!;
          const pair = `${channelId}/${incident.id}`;
          const event: DeliveryEvent = {
            id: Number(e.id),
            type: e.type,
            at: new Date(e.at).toISOString(),
            actor: e.actor,
            message: e.message,
          };
          const d = await upsertPendingDelivery(db, {
            projectId: e.project_id,
            channelId,
            incidentId: incident.id,
            event,
            notBefore: scheduleAt(now, scheduled.get(pair), settings.groupWindowSeconds),
            maxAttempts: settings.maxAttempts,
          });
          scheduled.set(pair, d.notBefore);
          if (d.created) enqueue.push({ ...settings, id: d.id, notBefore: d.notBefore });
        }
      }
      return picked.length;
    });
    events += n;
    if (n < BATCH) break;
  }

  const stranded = await strandedDeliveries(database.db);
  await touchDeliveries(
    database.db,
    stranded.map((s) => s.id),
  );

  // One multi-row insert per 500 jobs. A new delivery's job id is the delivery id, so enqueueing it
  // twice is a no-op; re-enqueued stranded deliveries get fresh ids.
  const fresh = new Set(enqueue.map((d) => d.id));
  const all = [...enqueue, ...stranded.filter((d) => !fresh.has(d.id))];
  for (let i = 0; i < all.length; i += 500) {
    await deps.jobs.insert(
      all.slice(i, i + 500).map((d) => ({
        ...(fresh.has(d.id) ? { id: d.id } : {}),
        name: DELIVER_JOB,
        data: { deliveryId: d.id },
        startAfter: d.notBefore,
        // Vigil counts attempts itself and dead-letters after maxAttempts; pg-boss only needs to
        // keep retrying at least that often, with its exponential backoff.
        retryLimit: d.maxAttempts,
        retryDelay: d.retryDelaySeconds,
        retryBackoff: true,
      })),
    );
  }
  if (events || all.length) deps.log.debug({ events, deliveries: all.length }, "notifications dispatched");
  return { events, enqueued: all.length };
}
