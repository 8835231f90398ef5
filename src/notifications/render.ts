import type { Incident } from "../incidents/model.ts";
import type { DeliveryEvent } from "./model.ts";

export interface MessageContent {
  deliveryId: string;
  incident: Incident;
  events: DeliveryEvent[];
  runbook?: { title: string; url: string };
}

const EMOJI: Record<string, string> = { critical: "🔴", error: "🟠", warning: "🟡", info: "🔵" };

/** Slack mrkdwn treats &, < and > as control characters. */
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** "Opened", or "Opened → Resolved → Reopened (3 changes)" for a grouped message. */
export function summary(events: DeliveryEvent[]): string {
  const words = events.map((e) => e.type.replace(/_/g, " "));
  const capital = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  if (capital.length <= 1) return capital[0] ?? "Update";
  const shown = capital.length > 5 ? [...capital.slice(0, 2), "…", ...capital.slice(-2)] : capital;
  return `${shown.join(" → ")} (${capital.length} changes)`;
}

/** A Slack incoming-webhook message (blocks plus the text fallback notifications use). */
export function renderSlack(m: MessageContent): Record<string, unknown> {
  const i = m.incident;
  const headline = `${EMOJI[i.severity] ?? ""} ${summary(m.events)}: ${i.title}`.trim();
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: headline.slice(0, 150), emoji: true } },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Status*\n${i.status}` },
        { type: "mrkdwn", text: `*Severity*\n${i.severity}` },
        { type: "mrkdwn", text: `*Kind*\n${i.kind}` },
        { type: "mrkdwn", text: `*Occurrences*\n${i.count}` },
      ],
    },
  ];
  if (m.events.length > 1) {
    const lines = m.events
      .slice(-10)
      .map(
        (e) =>
          `• ${e.at.slice(0, 19).replace("T", " ")}Z ${e.type}${e.message ? ` — ${esc(e.message)}` : ""}`,
      );
    blocks.push({ type: "section", text: { type: "mrkdwn", text: lines.join("\n").slice(0, 2900) } });
  }
  if (m.runbook) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*Runbook:* <${m.runbook.url}|${esc(m.runbook.title)}>` },
    });
  }
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `Vigil incident \`${i.id}\`${i.source ? ` · ${esc(i.source)}` : ""} · first seen ${i.firstSeen}`,
      },
    ],
  });
  return { text: `[${i.severity.toUpperCase()}] ${summary(m.events)}: ${i.title}`, blocks };
}

/** The generic webhook body: a stable, documented JSON shape (README "Notifications"). */
export function renderWebhook(m: MessageContent): Record<string, unknown> {
  const { sample: _sample, latest: _latest, ...incident } = m.incident;
  return {
    id: m.deliveryId,
    type: "vigil.incident",
    summary: summary(m.events),
    incident,
    events: m.events,
    runbook: m.runbook ?? null,
  };
}
