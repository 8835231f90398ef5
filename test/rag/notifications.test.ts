import { afterAll, beforeAll, expect, it } from "vitest";
import { runbookUrl } from "../../src/rag/incidents.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { Receiver, waitFor } from "../notifications/receiver.ts";
import { SOME_RUNBOOKS } from "./runbooks.ts";

type Slack = { text: string; blocks: { type: string; text?: { text: string } }[] };
type Webhook = { type: string; incident: { title: string }; runbook: { title: string; url: string } | null };

/** End to end: runbooks ingested, an alert fired, the delivered messages link the matching runbook. */
describeEachDatabase("notifications link the top runbook", (db) => {
  const t = useApp(db, {
    jobs: true,
    project: "rag-notify",
    env: { VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true", VIGIL_PUBLIC_URL: "https://vigil.example.com/" },
  });
  const receiver = new Receiver();
  const docIds = new Map<string, string>();

  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it("ingests runbooks and routes alerts to a webhook and a Slack channel", async () => {
    for (const rb of SOME_RUNBOOKS) {
      const res = await t.post("/api/v1/documents", { kind: "runbook", ...rb });
      docIds.set(rb.path, ((await res.json()) as { id: string }).id);
    }
    // A runbook that lives elsewhere (a wiki): its own URL, from front matter, is the link.
    const wiki = await t.post("/api/v1/documents", {
      kind: "runbook",
      path: "ops/ZanzibarRelayDown.md",
      content:
        "---\ntitle: Zanzibar relay down\nurl: https://wiki.example.com/runbooks/zanzibar-relay\n---\n\n" +
        "# ZanzibarRelayDown\n\n## Meaning\n\nThe zanzibar relay stopped forwarding messages.\n\n" +
        "## Mitigation\n\nRestart the zanzibar relay pods.\n",
    });
    expect(wiki.status).toBe(201);
    for (const type of ["webhook", "slack"]) {
      const ch = await t.post("/api/v1/channels", {
        name: `rb-${type}`,
        type,
        url: receiver.url,
        groupWindowSeconds: 0,
      });
      expect(ch.status).toBe(201);
      const { id } = (await ch.json()) as { id: string };
      const rule = await t.post("/api/v1/notification-rules", { channelId: id, kinds: ["alert"] });
      expect(rule.status).toBe(201);
    }
  });

  const fire = (title: string, description: string) =>
    t.post("/api/v1/alerts/generic", {
      title,
      severity: "critical",
      source: "prometheus",
      status: "firing",
      description,
      labels: { alertname: title },
    });
  /** Both messages (webhook JSON and Slack blocks) delivered for the alert with this title. */
  const messages = (title: string) =>
    waitFor(
      () => {
        const bodies = receiver.received.map((r) => JSON.parse(r.body) as Partial<Webhook & Slack>);
        const webhook = bodies.find((b) => b.type === "vigil.incident" && b.incident?.title === title);
        const slack = bodies.find((b) => b.blocks && b.text?.endsWith(`: ${title}`));
        return webhook && slack ? { webhook: webhook as Webhook, slack: slack as Slack } : undefined;
      },
      30_000,
      `both messages for ${title}`,
    );
  const slackRunbook = (m: Slack) => m.blocks.find((b) => b.text?.text.startsWith("*Runbook:*"))?.text?.text;

  it("an alert matching an ingested runbook carries its title and Vigil's link to it", async () => {
    await fire(
      "KubePodCrashLooping",
      "Pod payments/api-7d9 (api) is in waiting state (reason: CrashLoopBackOff).",
    );
    const { webhook, slack } = await messages("KubePodCrashLooping");
    const url = `https://vigil.example.com/api/v1/documents/${docIds.get("kubernetes/KubePodCrashLooping.md")}`;
    expect(webhook.runbook).toEqual({ title: "Kube Pod Crash Looping", url });
    expect(slackRunbook(slack)).toBe(`*Runbook:* <${url}|Kube Pod Crash Looping>`);
    // The link works: it is the document.
    const doc = await t.request(new URL(url).pathname);
    expect(((await doc.json()) as { document: { path: string } }).document.path).toBe(
      "kubernetes/KubePodCrashLooping.md",
    );
  });

  it("a runbook with its own URL is linked there", async () => {
    await fire("ZanzibarRelayDown", "The zanzibar relay in eu-west stopped forwarding messages.");
    const { webhook, slack } = await messages("ZanzibarRelayDown");
    const url = "https://wiki.example.com/runbooks/zanzibar-relay";
    expect(webhook.runbook).toEqual({ title: "Zanzibar relay down", url });
    expect(slackRunbook(slack)).toBe(`*Runbook:* <${url}|Zanzibar relay down>`);
  });

  it("an alert no runbook is about is sent without a runbook", async () => {
    await fire("Qxjv wbzk", "Flurbo quanta exceeded on host 10.0.0.7");
    const { webhook, slack } = await messages("Qxjv wbzk");
    expect(webhook.runbook).toBeNull();
    expect(slackRunbook(slack)).toBeUndefined();
  });
});

it("a runbook's own URL must be http(s); otherwise Vigil's URL for the document", () => {
  const doc = (metadata: Record<string, unknown>, content = "# X\n") => ({ id: "d-1", metadata, content });
  expect(runbookUrl(doc({ url: "https://wiki/x|y" }), "http://v:8080")).toBe("https://wiki/x%7Cy");
  expect(runbookUrl(doc({}, "---\nurl: http://docs.local/a b\n---\n# A\n"), "http://v")).toBe(
    "http://docs.local/a%20b",
  );
  expect(runbookUrl(doc({ url: "javascript:alert(1)" }), "http://v:8080/vigil")).toBe(
    "http://v:8080/vigil/api/v1/documents/d-1",
  );
  expect(runbookUrl(doc({}, "---\nurl: not a url\n---\n"), "https://v/")).toBe(
    "https://v/api/v1/documents/d-1",
  );
});
