/**
 * Project isolation: project B's things exist (incident, channel, rule, trace, failed span batch,
 * dataset schema and contract, model inputs and contract, monitor and report, document, failed
 * delivery, retraining run); project
 * A's key sent with B's ids and names to every route of /openapi.json that takes one gets nothing
 * of B — no 2xx reading or acting on it, B's marker in no answer — and B's things read the same
 * afterwards as before. Every list and search route with A's key shows none of B either.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createApiKey } from "../../src/auth/store.ts";
import { rowsOf } from "../../src/db/rows.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { recordRun } from "./ledger.ts";
import { type OpenApiDoc, operations } from "./openapi-arbitraries.ts";
import { problemWith } from "./responses.ts";

/** Routes that touch no project's data, or GitHub, which is not configured here (503 before any id). */
const NOT_PROJECT_DATA = /^\/github\/|^\/api\/v1\/github\/|^\/api\/v1\/retraining\/\{dispatchId\}\/result$/;

describeEachDatabase("project isolation", (db) => {
  // B's channel is disabled and points at loopback's discard port: nothing is ever sent.
  const t = useApp(db, { env: { VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true" }, project: "a" });
  const marker = `bmark${randomBytes(4).toString("hex")}`;

  it("gives A nothing of B on any route, and changes nothing of B", async () => {
    const b = await createApiKey(db.database.db, "b");
    const asB = (path: string, init: RequestInit = {}) =>
      t.request(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${b.key}` } });
    const postB = async (path: string, body: unknown, method = "POST") => {
      const res = await asB(path, {
        method,
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
    };

    // B's things, each carrying the marker where it has a name.
    await postB("/api/v1/alerts/generic", {
      title: `${marker} disk`,
      severity: "error",
      source: marker,
      status: "firing",
    });
    const incidents = (await (await asB("/api/v1/incidents")).json()) as { incidents: { id: string }[] };
    const incident = incidents.incidents[0]!.id;
    await postB(`/api/v1/incidents/${incident}/notes`, { text: `${marker} note` });
    const channel = (await postB("/api/v1/channels", {
      name: `${marker} channel`,
      type: "webhook",
      url: "http://127.0.0.1:9/hook",
      secret: `${marker}secret`,
      enabled: false,
    })) as { id: string };
    const rule = (await postB("/api/v1/notification-rules", { channelId: channel.id })) as { id: string };
    const traceId = randomBytes(16).toString("hex");
    await postB("/v1/traces", {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: marker } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: randomBytes(8).toString("hex"),
                  name: `${marker} span`,
                  startTimeUnixNano: String(BigInt(Date.now() - 60_000) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(Date.now() - 59_000) * 1_000_000n),
                },
              ],
            },
          ],
        },
      ],
    });
    await t.spansWritten();
    const [batch] = rowsOf<{ id: number | string }>(
      await db.database.db.execute(sql`
      insert into span_batches (project_id, span_count, days, rows, resources, attempts, last_error, failed_at)
      values (${b.projectId}::uuid, 1, ${"{2025-01-01}"}::text[], '', '[]', 1000, ${`${marker} failure`}, now())
      returning id`),
    );
    // A delivery that failed (retryable) and a skipped retraining run: no B route creates them
    // without a reachable channel or a GitHub App, so they are written as the workers would.
    const [delivery] = rowsOf<{ id: string }>(
      await db.database.db.execute(sql`
      insert into notification_deliveries (project_id, channel_id, incident_id, status, max_attempts, attempts, last_error)
      values (${b.projectId}::uuid, ${channel.id}::uuid, ${incident}::uuid, 'failed', 3, 3, ${`${marker} refused`})
      returning id`),
    );
    const [retraining] = rowsOf<{ id: string }>(
      await db.database.db.execute(sql`
      insert into retraining_runs (project_id, monitor_name, model, trigger, requested_by, repo, workflow, ref, status, skip_reason, message)
      values (${b.projectId}::uuid, ${`${marker} monitor`}, ${`${marker}_model`}, 'manual', 'vigil',
              'octo/models', 'retrain.yml', 'main', 'skipped', 'no_installation', ${`${marker} skipped`})
      returning id`),
    );
    // Names A will send itself (and may see echoed in a 404): not the marker, which only B's content holds.
    const names = `b${randomBytes(4).toString("hex")}`;
    const dataset = `${names}_orders`;
    const model = `${names}_model`;
    await postB(`/api/v1/datasets/${dataset}/schema`, { fields: [{ name: "amount", type: "double" }] });
    await postB(`/api/v1/datasets/${dataset}/contract`, { fields: { amount: { type: "number" } } }, "PUT");
    await postB(`/api/v1/models/${model}/inputs`, { inputs: [{ dataset, fields: ["amount"] }] }, "PUT");
    await postB(`/api/v1/contracts/${model}`, { fields: { amount: { type: "number" } } }, "PUT");
    await postB(
      "/api/v1/predictions",
      Array.from({ length: 40 }, (_, i) => ({
        model,
        modelVersion: "v1",
        requestId: `r${i}`,
        features: { amount: i },
      })),
    );
    const monitor = (await postB("/api/v1/monitors", {
      name: `${marker} monitor`,
      model,
      reference: { kind: "version", version: "v1" },
    })) as { id: string };
    const run = (await postB(`/api/v1/monitors/${monitor.id}/run`, {})) as {
      id?: string;
      report?: { id: string };
    };
    const report = run.report?.id ?? run.id;
    const document = (await postB("/api/v1/documents", {
      kind: "runbook",
      path: `${marker}.md`,
      title: marker,
      content: `# ${marker}\nRestart the disk.`,
    })) as { id: string };

    const ids: Record<string, string | undefined> = {
      incidents: incident,
      channels: channel.id,
      "notification-rules": rule.id,
      deliveries: delivery!.id,
      "span-batches": String(batch!.id),
      monitors: monitor.id,
      reports: report,
      documents: document.id,
      retraining: retraining!.id,
    };
    const fill = (template: string): string | undefined => {
      const collection = template.split("/")[3]!;
      let missing = false;
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
        if (name === "traceId") return traceId;
        if (name === "name") return dataset;
        if (name === "model") return model;
        const id = ids[collection];
        if (!id) missing = true;
        return id ?? "";
      });
      return missing ? undefined : path;
    };

    // What B sees of its things, before and after A's requests.
    const bView = async () => {
      const paths = [
        `/api/v1/incidents/${incident}`,
        `/api/v1/channels/${channel.id}`,
        "/api/v1/notification-rules",
        `/api/v1/traces/${traceId}`,
        `/api/v1/span-batches/${batch!.id}`,
        `/api/v1/datasets/${dataset}/schema`,
        `/api/v1/datasets/${dataset}/contract`,
        `/api/v1/models/${model}/inputs`,
        `/api/v1/contracts/${model}`,
        `/api/v1/monitors/${monitor.id}`,
        `/api/v1/documents/${document.id}`,
        `/api/v1/deliveries/${delivery!.id}`,
        `/api/v1/retraining/${retraining!.id}`,
        ...(report ? [`/api/v1/reports/${report}`] : []),
      ];
      return Promise.all(paths.map(async (p) => [p, (await asB(p)).status, await (await asB(p)).text()]));
    };
    const before = await bView();
    for (const [path, status] of before) expect(status, String(path)).toBe(200);

    const doc = (await (await t.request("/openapi.json")).json()) as OpenApiDoc;
    const tried: string[] = [];
    const untested: string[] = [];
    // Reads first (so A's own upserts below cannot make a name A's), then writes.
    const ordered = operations(doc).sort((x, y) => Number(x.method !== "GET") - Number(y.method !== "GET"));
    /** A's answer with B's names swapped for ones nobody used: what "none of B" looks like. */
    const control = `c${randomBytes(4).toString("hex")}`;
    const normal = (text: string, prefix: string) =>
      text.replaceAll(prefix, "NAME").replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "TIME");
    for (const op of ordered) {
      if (NOT_PROJECT_DATA.test(op.path)) continue;
      const takesId = op.path.includes("{");
      const path = takesId ? fill(op.path) : op.path;
      if (!path) {
        untested.push(`${op.method} ${op.path}`);
        continue;
      }
      const key = `${op.method} ${op.path}`;
      const body =
        op.method === "GET" || op.method === "DELETE"
          ? undefined
          : op.path === "/api/v1/search" || op.path === "/api/v1/ask"
            ? JSON.stringify(
                op.path.endsWith("ask") ? { question: "restart the disk?" } : { query: "restart disk" },
              )
            : op.path === "/api/v1/monitors/{id}"
              ? JSON.stringify({ name: "taken by A?", model, reference: { kind: "version", version: "v1" } })
              : op.path === "/api/v1/channels/{id}" || op.path === "/api/v1/incidents/{id}"
                ? JSON.stringify({ name: "renamed by A", severity: "info" })
                : "{}";
      if (!takesId && op.method !== "GET" && !/search|ask/.test(op.path)) continue; // creating A's own
      const send = (p: string) =>
        t.request(p, { method: op.method, body, headers: { "content-type": "application/json" } });
      const res = await send(path);
      const text = await res.clone().text();
      tried.push(`${key} → ${res.status}`);
      expect(text, `${key} answered with B's data`).not.toContain(marker);
      expect(res.status, `${key}: ${text.slice(0, 200)}`).toBeLessThan(500);
      const byName = /\{(name|model)\}/.test(op.path) && !/\{id\}/.test(op.path);
      if (takesId && !byName) {
        // B's id: not found, whatever the route does.
        expect(res.status, `${key} → ${res.status} ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(await problemWith(path, res)).toBeUndefined();
      } else if (byName && op.method === "GET") {
        // B's name: A's own (empty) view, the same as for a name nobody used.
        const other = await send(path.replaceAll(names, control));
        expect(`${res.status} ${normal(text, names)}`, key).toBe(
          `${other.status} ${normal(await other.text(), control)}`,
        );
      }
    }
    const after = await bView();
    const changed = after.filter(([, status, text], i) => before[i]![1] !== status || before[i]![2] !== text);
    recordRun({
      test: `isolation: A's key, B's ids [${db.kind}]`,
      load: `${tried.length} routes with B's ids or names (untested, no B row: ${untested.length})`,
      faults: "another project's ids on every route",
      sent: tried.length,
      acked: null,
      // B's things, read by B after A's requests: unchanged, and changed or leaked.
      stored: before.length - changed.length,
      lost: changed.length,
      duplicated: null,
      fiveXX: tried.filter((t) => / → 5\d\d$/.test(t)).length,
    });
    expect(after).toEqual(before);
    expect(untested, "routes with an id B has no row for").toEqual([]);
    expect(tried.filter((t) => t.includes("{")).length).toBeGreaterThan(30);
  }, 120_000);
});
