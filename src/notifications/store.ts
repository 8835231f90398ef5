import { and, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { rowsOf } from "../db/rows.ts";
import { notificationChannels, notificationDeliveries, notificationRules } from "../db/schema/index.ts";
import type { Channel, Delivery, DeliveryEvent, Rule } from "./model.ts";

type ChannelRow = typeof notificationChannels.$inferSelect;
type RuleRow = typeof notificationRules.$inferSelect;
export type DeliveryRow = typeof notificationDeliveries.$inferSelect;

export const toChannel = (r: ChannelRow): Channel => ({
  id: r.id,
  name: r.name,
  type: r.type as Channel["type"],
  url: r.url,
  hasSecret: r.secret !== null,
  enabled: r.enabled,
  maxAttempts: r.maxAttempts,
  retryDelaySeconds: r.retryDelaySeconds,
  groupWindowSeconds: r.groupWindowSeconds,
  createdAt: r.createdAt.toISOString(),
});

export const toRule = (r: RuleRow): Rule => ({
  id: r.id,
  channelId: r.channelId,
  kinds: r.kinds,
  minSeverity: r.minSeverity as Rule["minSeverity"],
  events: r.events,
  enabled: r.enabled,
  createdAt: r.createdAt.toISOString(),
});

export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  channelId: r.channelId,
  incidentId: r.incidentId,
  status: r.status as Delivery["status"],
  events: r.events as DeliveryEvent[],
  attempts: r.attempts,
  maxAttempts: r.maxAttempts,
  lastError: r.lastError,
  lastStatus: r.lastStatus,
  notBefore: r.notBefore.toISOString(),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  sentAt: r.sentAt?.toISOString() ?? null,
});

// Channels

export async function insertChannel(db: Db, values: typeof notificationChannels.$inferInsert) {
  const [row] = await db.insert(notificationChannels).values(values).onConflictDoNothing().returning();
  return row;
}

export async function listChannels(db: Db, projectId: string) {
  return db
    .select()
    .from(notificationChannels)
    .where(eq(notificationChannels.projectId, projectId))
    .orderBy(notificationChannels.name);
}

export async function getChannel(db: Db, projectId: string, id: string) {
  const [row] = await db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.projectId, projectId), eq(notificationChannels.id, id)));
  return row;
}

export async function updateChannel(
  db: Db,
  projectId: string,
  id: string,
  set: Partial<typeof notificationChannels.$inferInsert>,
) {
  const [row] = await db
    .update(notificationChannels)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(notificationChannels.projectId, projectId), eq(notificationChannels.id, id)))
    .returning();
  return row;
}

export async function deleteChannel(db: Db, projectId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(notificationChannels)
    .where(and(eq(notificationChannels.projectId, projectId), eq(notificationChannels.id, id)))
    .returning({ id: notificationChannels.id });
  return rows.length > 0;
}

// Rules

export async function insertRule(db: Db, values: typeof notificationRules.$inferInsert) {
  const [row] = await db.insert(notificationRules).values(values).returning();
  return row!;
}

export async function listRules(db: Db, projectId: string) {
  return db
    .select()
    .from(notificationRules)
    .where(eq(notificationRules.projectId, projectId))
    .orderBy(notificationRules.createdAt);
}

export async function deleteRule(db: Db, projectId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(notificationRules)
    .where(and(eq(notificationRules.projectId, projectId), eq(notificationRules.id, id)))
    .returning({ id: notificationRules.id });
  return rows.length > 0;
}

/** Enabled rules of enabled channels for these projects, with the channel's delivery settings. */
export async function activeRules(db: Db, projectIds: string[]) {
  if (projectIds.length === 0) return [];
  return db
    .select({
      projectId: notificationRules.projectId,
      channelId: notificationRules.channelId,
      kinds: notificationRules.kinds,
      minSeverity: notificationRules.minSeverity,
      events: notificationRules.events,
      maxAttempts: notificationChannels.maxAttempts,
      retryDelaySeconds: notificationChannels.retryDelaySeconds,
      groupWindowSeconds: notificationChannels.groupWindowSeconds,
    })
    .from(notificationRules)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationRules.channelId))
    .where(
      and(
        inArray(notificationRules.projectId, projectIds),
        eq(notificationRules.enabled, true),
        eq(notificationChannels.enabled, true),
      ),
    );
}

// Deliveries

export interface DeliveryFilter {
  status?: string;
  channelId?: string;
  incidentId?: string;
  before?: Date;
  limit: number;
}

export async function listDeliveries(db: Db, projectId: string, f: DeliveryFilter) {
  const where: (SQL | undefined)[] = [eq(notificationDeliveries.projectId, projectId)];
  if (f.status) where.push(eq(notificationDeliveries.status, f.status));
  if (f.channelId) where.push(eq(notificationDeliveries.channelId, f.channelId));
  if (f.incidentId) where.push(eq(notificationDeliveries.incidentId, f.incidentId));
  if (f.before) where.push(lt(notificationDeliveries.createdAt, f.before));
  return db
    .select()
    .from(notificationDeliveries)
    .where(and(...where))
    .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
    .limit(f.limit);
}

export async function getDelivery(db: Db, projectId: string, id: string) {
  const [row] = await db
    .select()
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.projectId, projectId), eq(notificationDeliveries.id, id)));
  return row;
}

/** When the last message about each of these incidents on each channel was (or is) due. */
export async function lastScheduled(db: Db, incidentIds: string[]): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  if (incidentIds.length === 0) return out;
  const rows = await db
    .select({
      channelId: notificationDeliveries.channelId,
      incidentId: notificationDeliveries.incidentId,
      at: sql<string>`max(${notificationDeliveries.notBefore})`,
    })
    .from(notificationDeliveries)
    .where(inArray(notificationDeliveries.incidentId, incidentIds))
    .groupBy(notificationDeliveries.channelId, notificationDeliveries.incidentId);
  for (const r of rows) out.set(`${r.channelId}/${r.incidentId}`, new Date(r.at));
  return out;
}

/**
 * Adds an event to the channel's not-yet-started message about the incident, or starts a new one.
 * The partial unique index (one pending per channel and incident) makes this one atomic statement.
 */
export async function upsertPendingDelivery(
  db: Db,
  values: {
    projectId: string;
    channelId: string;
    incidentId: string;
    event: DeliveryEvent;
    notBefore: Date;
    maxAttempts: number;
  },
) {
  const [row] = await db
    .insert(notificationDeliveries)
    .values({
      projectId: values.projectId,
      channelId: values.channelId,
      incidentId: values.incidentId,
      status: "pending",
      events: [values.event],
      notBefore: values.notBefore,
      maxAttempts: values.maxAttempts,
    })
    .onConflictDoUpdate({
      target: [notificationDeliveries.channelId, notificationDeliveries.incidentId],
      targetWhere: sql`status = 'pending'`,
      set: {
        events: sql`${notificationDeliveries.events} || excluded.events`,
        updatedAt: sql`now()`,
      },
    })
    .returning({
      id: notificationDeliveries.id,
      notBefore: notificationDeliveries.notBefore,
      created: sql<boolean>`(xmax = 0)`,
    });
  return { id: row!.id, notBefore: row!.notBefore, created: Boolean(row!.created) };
}

/**
 * Takes a delivery for one attempt. Only one worker wins; a delivery stuck in "sending" (its worker
 * died mid-request) can be taken again after 10 minutes.
 */
/**
 * When the delivery may be sent at the earliest: its channel's group window after the last message
 * actually sent about the same incident on the same channel. Windows are scheduled from planned
 * times (dispatch), but a message can go out late (a busy worker): measured from the real send,
 * two messages are never closer than the window.
 */
export async function earliestSend(db: Db, id: string): Promise<Date | undefined> {
  // Call in the transaction that claims the delivery: the lock serialises check-and-claim per
  // channel and incident, and a message still in flight counts as sent now — else two workers, or
  // a late message and the next one due, both pass the check and send within a millisecond.
  await db.execute(sql`
    select pg_advisory_xact_lock(hashtextextended(d.channel_id::text || '/' || d.incident_id::text, 0))
    from notification_deliveries d where d.id = ${id}::uuid`);
  const [row] = rowsOf<{ earliest: Date | string | null }>(
    await db.execute(sql`
      select (select max(case when x.status = 'sending' and x.updated_at > now() - interval '10 minutes'
                              then now() else x.sent_at end)
              from notification_deliveries x
              where x.channel_id = d.channel_id and x.incident_id = d.incident_id and x.id <> d.id)
             + make_interval(secs => c.group_window_seconds) as earliest
      from notification_deliveries d join notification_channels c on c.id = d.channel_id
      where d.id = ${id}::uuid and d.status in ('pending', 'retrying') and c.group_window_seconds > 0`),
  );
  return row?.earliest ? new Date(row.earliest) : undefined;
}

/** Moves a delivery that came too early to when it may go. */
export async function postponeDelivery(db: Db, id: string, until: Date): Promise<void> {
  await db
    .update(notificationDeliveries)
    .set({ notBefore: until, updatedAt: new Date() })
    .where(eq(notificationDeliveries.id, id));
}

export async function claimDelivery(db: Db, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db
    .update(notificationDeliveries)
    .set({ status: "sending", attempts: sql`${notificationDeliveries.attempts} + 1`, updatedAt: new Date() })
    .where(
      and(
        eq(notificationDeliveries.id, id),
        sql`(${notificationDeliveries.status} in ('pending','retrying') or (${notificationDeliveries.status} = 'sending' and ${notificationDeliveries.updatedAt} < now() - interval '10 minutes'))`,
      ),
    )
    .returning();
  return row;
}

export async function finishDelivery(
  db: Db,
  id: string,
  set: {
    status: "sent" | "retrying" | "dead";
    lastStatus?: number | null;
    lastError?: string | null;
    body?: string;
  },
) {
  await db
    .update(notificationDeliveries)
    .set({
      status: set.status,
      lastStatus: set.lastStatus ?? null,
      lastError: set.lastError ?? null,
      ...(set.body !== undefined ? { body: set.body } : {}),
      ...(set.status === "sent" ? { sentAt: new Date() } : {}),
      updatedAt: new Date(),
    })
    .where(eq(notificationDeliveries.id, id));
}

export async function freezeBody(db: Db, id: string, body: string) {
  await db.update(notificationDeliveries).set({ body }).where(eq(notificationDeliveries.id, id));
}

/** Puts a dead delivery back in line with a fresh set of attempts. */
export async function requeueDead(db: Db, projectId: string, id: string) {
  const [row] = await db
    .update(notificationDeliveries)
    .set({ status: "retrying", attempts: 0, notBefore: new Date(), updatedAt: new Date() })
    .where(
      and(
        eq(notificationDeliveries.projectId, projectId),
        eq(notificationDeliveries.id, id),
        eq(notificationDeliveries.status, "dead"),
      ),
    )
    .returning();
  return row;
}

/**
 * Deliveries whose job was lost (process died between commit and enqueue, or pg-boss gave up):
 * pending and overdue, or retrying and untouched for an hour. The sweep enqueues them again;
 * claimDelivery makes a duplicate job harmless.
 */
export async function strandedDeliveries(db: Db) {
  return db
    .select({
      id: notificationDeliveries.id,
      notBefore: notificationDeliveries.notBefore,
      maxAttempts: notificationDeliveries.maxAttempts,
      retryDelaySeconds: notificationChannels.retryDelaySeconds,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationDeliveries.channelId))
    .where(
      sql`(${notificationDeliveries.status} = 'pending' and ${notificationDeliveries.notBefore} < now() - interval '2 minutes' and ${notificationDeliveries.updatedAt} < now() - interval '2 minutes')
       or (${notificationDeliveries.status} = 'retrying' and ${notificationDeliveries.updatedAt} < now() - interval '1 hour')`,
    )
    .limit(500);
}

export async function touchDeliveries(db: Db, ids: string[]) {
  if (ids.length === 0) return;
  await db
    .update(notificationDeliveries)
    .set({ updatedAt: new Date() })
    .where(inArray(notificationDeliveries.id, ids));
}
