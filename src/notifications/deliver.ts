import { withTransaction } from "../db/transaction.ts";
import type { AppDeps } from "../deps.ts";
import { getIncident } from "../incidents/read.ts";
import { addEvent } from "../incidents/record.ts";
import { DELIVER_JOB } from "./jobs-names.ts";
import type { DeliveryEvent, SuggestRunbook } from "./model.ts";
import { type MessageContent, renderSlack, renderWebhook } from "./render.ts";
import { isRetryable } from "./routing.ts";
import { postBody } from "./send.ts";
import { signBody } from "./sign.ts";
import { BlockedUrlError, checkUrlShape } from "./ssrf.ts";
import {
  claimDelivery,
  earliestSend,
  finishDelivery,
  freezeBody,
  getChannel,
  postponeDelivery,
} from "./store.ts";

export interface DeliverOptions {
  /** Optional hook: the top runbook for an incident, linked in the message (e.g. from RAG search). */
  suggestRunbook?: SuggestRunbook;
  timeoutMs?: number;
}

/** Thrown so pg-boss retries the job with exponential backoff. */
export class RetryableDeliveryError extends Error {
  override name = "RetryableDeliveryError";
}

/**
 * One attempt at one delivery. Success → sent. A retryable failure below maxAttempts → retrying, and
 * the job fails so pg-boss retries it later. Otherwise → dead: kept, visible in the API, and
 * re-deliverable with POST /api/v1/deliveries/{id}/retry.
 */
export async function deliverOne(
  deps: Pick<AppDeps, "database" | "config" | "log" | "jobs">,
  deliveryId: string,
  options: DeliverOptions = {},
): Promise<"sent" | "retrying" | "dead" | "skipped" | "postponed"> {
  const db = deps.database.db;
  const taken = await withTransaction(db, async (tx) => {
    const earliest = await earliestSend(tx, deliveryId);
    if (earliest && earliest.getTime() > Date.now()) {
      // The previous message about this incident went out late (or is going out): keep the window
      // from its real send.
      await postponeDelivery(tx, deliveryId, earliest);
      return { postponedUntil: earliest };
    }
    return { delivery: await claimDelivery(tx, deliveryId) };
  });
  if (taken.postponedUntil) {
    await deps.jobs.send(DELIVER_JOB, { deliveryId }, { startAfter: taken.postponedUntil });
    return "postponed";
  }
  const d = taken.delivery;
  if (!d) return "skipped";
  const fail = async (lastError: string, lastStatus?: number) => {
    await finishDelivery(db, d.id, { status: "dead", lastError, lastStatus });
    await addEvent(db, d.incidentId, d.projectId, {
      type: "notification_failed",
      message: lastError.slice(0, 500),
      data: { deliveryId: d.id, channelId: d.channelId, attempts: d.attempts },
    });
    return "dead" as const;
  };

  const channel = await getChannel(db, d.projectId, d.channelId);
  const incident = await getIncident(db, d.projectId, d.incidentId);
  if (!channel || !incident) return fail("channel or incident no longer exists");
  if (!channel.enabled) return fail("channel is disabled");

  let body = d.body;
  if (body === null) {
    let runbook: MessageContent["runbook"];
    try {
      runbook = await options.suggestRunbook?.(incident, d.projectId);
    } catch (error) {
      deps.log.warn({ err: error, incidentId: incident.id }, "runbook suggestion failed; sending without");
    }
    const content = { deliveryId: d.id, incident, events: d.events as DeliveryEvent[], runbook };
    body = JSON.stringify(channel.type === "slack" ? renderSlack(content) : renderWebhook(content));
    await freezeBody(db, d.id, body);
  }

  const allowPrivate = deps.config.VIGIL_ALLOW_PRIVATE_WEBHOOKS;
  let status: number | undefined;
  let error: string;
  try {
    const url = checkUrlShape(channel.url, allowPrivate);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Vigil-Notifications/0.1",
      "x-vigil-delivery": d.id,
      "x-vigil-attempt": String(d.attempts),
    };
    if (channel.type === "webhook" && channel.secret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers["x-vigil-timestamp"] = String(timestamp);
      headers["x-vigil-signature"] = signBody(channel.secret, timestamp, body);
    }
    const res = await postBody(url, body, headers, { timeoutMs: options.timeoutMs ?? 10_000, allowPrivate });
    status = res.status;
    if (status >= 200 && status < 300) {
      await finishDelivery(db, d.id, { status: "sent", lastStatus: status });
      await addEvent(db, d.incidentId, d.projectId, {
        type: "notified",
        message: `sent to ${channel.name}`,
        data: {
          deliveryId: d.id,
          channelId: channel.id,
          events: (d.events as DeliveryEvent[]).map((e) => e.type),
        },
      });
      return "sent";
    }
    error = `HTTP ${status}${res.body ? `: ${res.body}` : ""}`;
  } catch (e) {
    if (e instanceof BlockedUrlError) return fail(`blocked: ${e.message}`);
    error = (e as Error).message || String(e);
  }
  if (!isRetryable(status) || d.attempts >= d.maxAttempts) return fail(error, status);
  await finishDelivery(db, d.id, { status: "retrying", lastError: error, lastStatus: status ?? null });
  throw new RetryableDeliveryError(
    `delivery ${d.id}: attempt ${d.attempts}/${d.maxAttempts} failed: ${error}`,
  );
}
