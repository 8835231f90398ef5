/**
 * `playDemo`: a realistic story played against a running Vigil through its public HTTP API only —
 * what a new user's own systems would send. Returns what it created, so tests can seed demo data
 * and check what the pages show against the API.
 *
 * The story, over the two hours before now: the `checkout` service calls the `fraud-detector`
 * model; halfway through, the payments producer replaces `amount_usd` by a local-currency `amount`
 * (a breaking schema change arriving by OpenLineage), the model's inputs drift and its accuracy
 * drops, checkout's payment gateway starts timing out (a recurring exception), the model server's
 * pod crash-loops for a while (an Alertmanager alert that fires and resolves) and checkout's
 * autoscaler maxes out (an alert still firing). The team's runbooks are indexed for search.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type ApiClient, apiClient } from "../http/api-client.ts";
import {
  alertmanagerPayload,
  breakingChangeEvent,
  crashLoopAlert,
  type DemoAlert,
  EMBEDDING,
  FEATURE_DATASET,
  FEATURES,
  hpaMaxedAlert,
  MODEL,
  pipelineEvents,
  predictionPlan,
  RAW_DATASET,
  STAGING_DATASET,
  WAREHOUSE,
} from "./data.ts";
import { CHECKOUT, DemoTraffic } from "./traces.ts";

export const RUNBOOKS_DIR = fileURLToPath(new URL("./runbooks", import.meta.url));
export const MONITOR_NAME = `${MODEL} inputs`;

export interface DemoOptions {
  baseUrl: string;
  apiKey: string;
  /** One line per step (progress). */
  log?: (line: string) => void;
  /** The story ends at this moment (default: now). */
  now?: Date;
  /** Hours of history laid out before `now` (default 2). */
  hours?: number;
  /** Scored transactions over those hours (default 800). */
  predictions?: number;
  /** User requests traced over those hours (default 360). */
  requests?: number;
  /** Longest wait for Vigil to have written the traces (default 60 s). */
  timeoutMs?: number;
}

export interface DemoResult {
  project: { id: string; name: string };
  /** Distinguishes this play's request ids and runs from an earlier one on the same Vigil. */
  tag: string;
  from: string;
  driftStart: string;
  to: string;
  traces: {
    services: string[];
    requests: number;
    /** Spans the OpenTelemetry exporter delivered (accepted by /v1/traces). */
    spans: number;
    traceIds: string[];
    exceptionTraceIds: string[];
  };
  predictions: { model: string; sent: number; inserted: number; labels: number; labeled: number };
  monitor: { id: string; name: string; reportIds: string[]; drifted: boolean };
  lineage: { events: number; datasets: string[]; namespace: string; breakingDatasets: string[] };
  alerts: { resolved: string[]; firing: string[] };
  documents: { ids: string[]; paths: string[] };
  incidents: {
    exception: string | null;
    drift: string | null;
    performance: string | null;
    schema: string[];
    alerts: string[];
  };
}

interface Incident {
  id: string;
  kind: string;
  fingerprint: string;
  status: string;
  source: string | null;
}

const CHUNK = 500;

export async function playDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const now = options.now ?? new Date();
  const hours = options.hours ?? 2;
  const api = apiClient({ VIGIL_URL: options.baseUrl, VIGIL_API_KEY: options.apiKey });
  const tag = `demo-${now.getTime().toString(36)}`;

  const { project } = await api.get<{ project: { id: string; name: string } }>("/api/v1/whoami");
  log(`project "${project.name}" at ${api.base}`);

  const documents = await indexRunbooks(api);
  log(`runbooks: ${documents.paths.length} indexed for search and answers`);

  const plan = predictionPlan({
    now,
    hours,
    count: options.predictions ?? 800,
    seed: 42,
    tag,
  });
  const pipeline = pipelineEvents(new Date(plan.from.getTime() - 30 * 60_000), tag);
  await api.post("/api/v1/lineage", pipeline);
  log(`lineage: ${RAW_DATASET} → ${STAGING_DATASET} → ${FEATURE_DATASET} with column lineage (OpenLineage)`);

  const monitor = await upsertMonitor(api, {
    name: MONITOR_NAME,
    model: MODEL,
    features: [...FEATURES, EMBEDDING],
    inputs: [{ dataset: FEATURE_DATASET, namespace: WAREHOUSE, fields: [...FEATURES] }],
    reference: { kind: "range", from: plan.from.toISOString(), to: plan.driftStart.toISOString() },
    current: { kind: "window", seconds: Math.round((hours * 3600) / 2) },
    options: { datasetDriftShare: 0.3, performanceDrop: 0.1 },
    scheduleSeconds: 300,
    incidentPolicy: { drift: true, performance: true, severity: "error" },
  });
  log(
    `monitor "${MONITOR_NAME}" on ${MODEL}: reference = the first ${hours / 2} h, current = the last ${hours / 2} h`,
  );

  const traffic = new DemoTraffic(options.baseUrl, options.apiKey);
  const requests = options.requests ?? 360;
  const traceIds: string[] = [];
  const exceptionTraceIds: string[] = [];
  const span = now.getTime() - 60_000 - plan.from.getTime();
  for (let i = 0; i < requests; i++) {
    const at = new Date(plan.from.getTime() + (span * i) / requests);
    const after = at >= plan.driftStart;
    const sent = traffic.request(at, { errorRate: after ? 0.14 : 0.02, slow: after ? 1.8 : 1 });
    traceIds.push(sent.traceId);
    if (sent.exception) exceptionTraceIds.push(sent.traceId);
  }
  await traffic.flush();
  await traffic.shutdown();
  if (traffic.stats.failedSpans)
    throw new Error(
      `the OTLP exporter could not deliver ${traffic.stats.failedSpans} spans: ${traffic.stats.lastError}`,
    );
  log(
    `traces: ${requests} requests of ${CHECKOUT} → ${MODEL} (${traffic.stats.spans} spans, OTLP/protobuf), ` +
      `${exceptionTraceIds.length} payment gateway timeouts`,
  );

  let inserted = 0;
  for (let i = 0; i < plan.predictions.length; i += CHUNK) {
    const r = await api.post<{ inserted: number }>(
      "/api/v1/predictions",
      plan.predictions.slice(i, i + CHUNK),
    );
    inserted += r.inserted;
  }
  let labeled = 0;
  for (let i = 0; i < plan.labels.length; i += CHUNK) {
    const r = await api.post<{ matched: number }>("/api/v1/labels", plan.labels.slice(i, i + CHUNK));
    labeled += r.matched;
  }
  log(
    `predictions: ${plan.predictions.length} of ${MODEL}, ${plan.labels.length} labels (drift begins halfway)`,
  );

  const breaking = await api.post<{
    events: { snapshots: { name: string; breaking: boolean }[]; incidents: { id: string }[] }[];
  }>("/api/v1/lineage", breakingChangeEvent(new Date(plan.driftStart.getTime() - 2 * 60_000), tag));
  const breakingDatasets = breaking.events.flatMap((e) =>
    e.snapshots.filter((s) => s.breaking).map((s) => s.name),
  );
  log(`schema: ${RAW_DATASET} dropped amount_usd (breaking in ${breakingDatasets.join(", ") || "none"})`);

  const crash = crashLoopAlert(now, tag);
  const hpa = hpaMaxedAlert(now, tag);
  await sendAlert(api, "firing", [crash]);
  await sendAlert(api, "firing", [hpa]);
  await sendAlert(api, "resolved", [crash]);
  log(`alerts: ${crash.labels.alertname} fired and resolved; ${hpa.labels.alertname} firing`);

  const report = await api.post<{ id: string; drifted: boolean; status: string }>(
    `/api/v1/monitors/${monitor.id}/run`,
    {},
  );
  log(`drift report: ${report.status}, ${report.drifted ? "drifted" : "no drift"}`);

  const exception = await waitForIncident(
    api,
    (i) => i.kind === "exception" && i.source === CHECKOUT,
    "exception",
    options.timeoutMs ?? 60_000,
  );
  log(`exception incident from the traces: ${exception ? "open" : "not yet"}`);

  const all = await listIncidents(api);
  const find = (fingerprint: string) => all.find((i) => i.fingerprint === fingerprint)?.id ?? null;
  const schema = all
    .filter(
      (i) =>
        i.kind === "schema" && [RAW_DATASET, STAGING_DATASET].some((d) => i.source === `${WAREHOUSE}/${d}`),
    )
    .map((i) => i.id);
  const alerts = [crash, hpa].map((a) => find(`alertmanager:${a.fingerprint}`)).filter((id) => id !== null);
  const drift = find(`monitor:${monitor.id}`);
  const stagingIncident = all.find(
    (i) => i.kind === "schema" && i.source === `${WAREHOUSE}/${STAGING_DATASET}` && i.status !== "resolved",
  );
  await respond(api, { drift, reportId: report.id, schema: stagingIncident?.id });
  log(
    "on-call: the drift incident linked to the schema change and its report; the schema incident acknowledged",
  );

  return {
    project,
    tag,
    from: plan.from.toISOString(),
    driftStart: plan.driftStart.toISOString(),
    to: now.toISOString(),
    traces: {
      services: [CHECKOUT, MODEL],
      requests,
      spans: traffic.stats.spans,
      traceIds,
      exceptionTraceIds,
    },
    predictions: {
      model: MODEL,
      sent: plan.predictions.length,
      inserted,
      labels: plan.labels.length,
      labeled,
    },
    monitor: { id: monitor.id, name: MONITOR_NAME, reportIds: [report.id], drifted: report.drifted },
    lineage: {
      events: pipeline.length + 1,
      datasets: [RAW_DATASET, STAGING_DATASET, FEATURE_DATASET],
      namespace: WAREHOUSE,
      breakingDatasets,
    },
    alerts: { resolved: [crash.fingerprint], firing: [hpa.fingerprint] },
    documents,
    incidents: {
      exception: exception?.id ?? null,
      drift,
      performance: find(`monitor:${monitor.id}:performance`),
      schema,
      alerts,
    },
  };
}

/** Who answers in the story's timelines. */
export const RESPONDER = "maria (on call)";

/**
 * What the on-call engineer did: joined the drift to the upstream change that caused it, and
 * acknowledged the schema incident after paging its owners. Links already there are not repeated.
 */
async function respond(
  api: ApiClient,
  ids: { drift: string | null; reportId: string; schema?: string },
): Promise<void> {
  if (ids.drift) {
    const { incident } = await api.get<{ incident: { evidence: { links?: { ref: string }[] } } }>(
      `/api/v1/incidents/${ids.drift}`,
    );
    const linked = new Set((incident.evidence.links ?? []).map((l) => l.ref));
    const links = [
      {
        kind: "schema_change",
        ref: `${WAREHOUSE}/${STAGING_DATASET}@2`,
        title: `${STAGING_DATASET} v2: amount_usd became amount, in local currency`,
      },
      {
        kind: "drift_report",
        ref: ids.reportId,
        title: "The report that flagged amount and merchant_category",
      },
    ];
    for (const link of links)
      if (!linked.has(link.ref))
        await api.post(`/api/v1/incidents/${ids.drift}/links`, { ...link, actor: RESPONDER });
  }
  if (ids.schema)
    await api.post(`/api/v1/incidents/${ids.schema}/acknowledge`, {
      actor: RESPONDER,
      message: "Paged the payments team",
      note: "Payments 5.2 sends amounts in the card's currency with a new currency column; they will add amount_usd back as a computed column.",
    });
}

/** Every Markdown runbook of the demo's folder (its README excepted), under the path prefix `demo/`. */
async function indexRunbooks(api: ApiClient): Promise<{ ids: string[]; paths: string[] }> {
  const entries = await readdir(RUNBOOKS_DIR, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith(".md") && e.name !== "README.md")
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const documents = await Promise.all(
    files.map(async (file) => ({
      kind: "runbook",
      path: `demo/${relative(RUNBOOKS_DIR, file).split(sep).join("/")}`,
      content: await readFile(file, "utf8"),
    })),
  );
  // One request, one transaction: the demo's folder is far below the batch route's 200 documents.
  const r = await api.post<{ documents: { id: string }[] }>("/api/v1/documents/batch", { documents });
  return { ids: r.documents.map((d) => d.id), paths: documents.map((d) => d.path) };
}

/** Creates the monitor, or (a replay on the same Vigil) updates the one of that name. */
async function upsertMonitor(api: ApiClient, body: Record<string, unknown>): Promise<{ id: string }> {
  const { monitors } = await api.get<{ monitors: { id: string; name: string }[] }>("/api/v1/monitors");
  const existing = monitors.find((m) => m.name === body.name);
  if (existing) return api.request<{ id: string }>("PUT", `/api/v1/monitors/${existing.id}`, { json: body });
  return api.post<{ id: string }>("/api/v1/monitors", body);
}

async function sendAlert(api: ApiClient, status: "firing" | "resolved", alerts: DemoAlert[]): Promise<void> {
  await api.post("/api/v1/alerts/alertmanager", alertmanagerPayload(status, alerts));
}

async function listIncidents(api: ApiClient): Promise<Incident[]> {
  const out: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<{ incidents: Incident[]; nextCursor: string | null }>("/api/v1/incidents", {
      limit: 500,
      cursor,
    });
    out.push(...page.incidents);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < 5_000);
  return out;
}

/** Traces are written in the background after /v1/traces answers: wait for what they cause. */
async function waitForIncident(
  api: ApiClient,
  match: (i: Incident) => boolean,
  kind: string,
  timeoutMs: number,
): Promise<Incident | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { incidents } = await api.get<{ incidents: Incident[] }>("/api/v1/incidents", { kind, limit: 100 });
    const found = incidents.find(match);
    if (found || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
}
