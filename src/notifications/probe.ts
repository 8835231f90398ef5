import type { Config } from "../config.ts";
import type { notificationChannels } from "../db/schema/index.ts";
import type { Incident } from "../incidents/model.ts";
import { renderSlack, renderWebhook } from "./render.ts";
import { postBody } from "./send.ts";
import { signBody } from "./sign.ts";
import { BlockedUrlError, checkUrlShape } from "./ssrf.ts";

export interface ProbeResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  ms: number;
}

/**
 * Sends a sample message to a channel right away (not as a job), the way "Test" buttons in
 * Grafana and Alertmanager UIs do, so a wrong URL or secret shows up before a real incident.
 */
export async function probeChannel(
  channel: typeof notificationChannels.$inferSelect,
  config: Pick<Config, "VIGIL_ALLOW_PRIVATE_WEBHOOKS">,
): Promise<ProbeResult> {
  const now = new Date().toISOString();
  const incident: Incident = {
    id: "00000000-0000-0000-0000-000000000000",
    kind: "alert",
    fingerprint: "vigil:test",
    title: `Test notification for channel ${channel.name}`,
    status: "open",
    severity: "info",
    source: "vigil",
    firstSeen: now,
    lastSeen: now,
    count: 1,
    sample: {},
    latest: {},
    evidence: {},
    labels: {},
    resolvedAt: null,
  };
  const content = {
    deliveryId: `test-${Date.now()}`,
    incident,
    events: [
      { id: 0, type: "test", at: now, actor: null, message: "sent from POST /api/v1/channels/{id}/test" },
    ],
  };
  const body = JSON.stringify(channel.type === "slack" ? renderSlack(content) : renderWebhook(content));
  const allowPrivate = config.VIGIL_ALLOW_PRIVATE_WEBHOOKS;
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const url = checkUrlShape(channel.url, allowPrivate);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Vigil-Notifications/0.1",
      "x-vigil-delivery": content.deliveryId,
      "x-vigil-test": "true",
    };
    if (channel.type === "webhook" && channel.secret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers["x-vigil-timestamp"] = String(timestamp);
      headers["x-vigil-signature"] = signBody(channel.secret, timestamp, body);
    }
    const res = await postBody(url, body, headers, { timeoutMs: 10_000, allowPrivate });
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      status: res.status,
      error: ok ? null : `HTTP ${res.status}${res.body ? `: ${res.body}` : ""}`,
      ms: ms(),
    };
  } catch (error) {
    const message = error instanceof BlockedUrlError ? `blocked: ${error.message}` : (error as Error).message;
    return { ok: false, status: null, error: message, ms: ms() };
  }
}
