/**
 * The demo story's data, as pure functions of a seed and a clock: the fraud model's predictions
 * (drifting halfway), the OpenLineage events of its feature pipeline (with a breaking change) and
 * the Alertmanager notifications. Deterministic, so tests can reason about what the story sends.
 */

export const MODEL = "fraud-detector";
export const MODEL_VERSION = "2026.11.2";
/** The OpenLineage namespace of the warehouse: an identifier only, never called. */
export const WAREHOUSE = "postgres://warehouse:5432";
export const FEATURE_DATASET = "features.transactions";
export const STAGING_DATASET = "staging.payments";
export const RAW_DATASET = "raw.payments";
export const FEATURES = ["amount", "merchant_category", "account_age_days", "country", "hour"] as const;

/** mulberry32: a small seeded generator, so a story is the same every time for one seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

function pick<T>(r: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x <= 0) return item;
  }
  return items.at(-1)![0];
}

const CATEGORIES_BEFORE = [
  ["grocery", 30],
  ["restaurants", 20],
  ["fuel", 15],
  ["electronics", 15],
  ["travel", 12],
  ["fashion", 8],
] as const;
/** After the upstream change: a new merchant category the model never saw, and more electronics. */
const CATEGORIES_AFTER = [
  ["grocery", 20],
  ["restaurants", 12],
  ["fuel", 10],
  ["electronics", 22],
  ["travel", 8],
  ["fashion", 6],
  ["crypto", 22],
] as const;
const COUNTRIES = [
  ["US", 40],
  ["DE", 15],
  ["GB", 15],
  ["FR", 12],
  ["BR", 10],
  ["IN", 8],
] as const;

/** Card payments by local hour: quiet at night, busy at lunch and in the evening. */
const LOCAL_HOURS = Array.from(
  { length: 24 },
  (_, h) => [h, h < 6 ? 1 : h < 9 ? 3 : h < 12 ? 5 : h < 14 ? 7 : h < 18 ? 5 : h < 22 ? 6 : 3] as const,
);

export interface DemoPrediction {
  model: string;
  modelVersion: string;
  requestId: string;
  timestamp: string;
  features: {
    amount: number;
    merchant_category: string;
    account_age_days: number;
    country: string;
    hour: number;
  };
  output: number;
}

export interface DemoLabel {
  model: string;
  requestId: string;
  label: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One scored transaction. `drifted`: after the upstream change amounts arrive in local currency
 * (larger, wider), a new category appears, and fraud follows a pattern the model does not know —
 * so its features drift and its accuracy drops.
 */
export function transaction(
  r: () => number,
  drifted: boolean,
  at: Date,
  requestId: string,
): { prediction: DemoPrediction; label: number } {
  const category = pick(r, drifted ? CATEGORIES_AFTER : CATEGORIES_BEFORE);
  const country = pick(r, COUNTRIES);
  const amountUsd = Math.exp(3.6 + 0.9 * normal(r));
  const amount = Math.round((drifted ? amountUsd * (2.2 + r()) : amountUsd) * 100) / 100;
  const accountAge = Math.max(0, Math.round(Math.exp(5 + 1.1 * normal(r))));
  // The customer's local hour: the same daily pattern before and after (not the clock's hour,
  // which would "drift" between any two windows of a few hours).
  const hour = pick(r, LOCAL_HOURS);
  const logit =
    1.6 * (Math.log(amount) - 4.3) +
    (category === "electronics" ? 0.9 : 0) +
    (category === "travel" ? 0.5 : 0) -
    accountAge / 250 +
    (hour < 6 ? 0.6 : 0);
  const score = Math.round(sigmoid(logit) * 10_000) / 10_000;
  const noise = 0.18 * normal(r);
  const truth = drifted
    ? 0.25 * score + 0.75 * (category === "crypto" ? 0.9 : accountAge < 60 ? 0.6 : 0.15) + noise
    : score + noise;
  return {
    prediction: {
      model: MODEL,
      modelVersion: MODEL_VERSION,
      requestId,
      timestamp: at.toISOString(),
      features: { amount, merchant_category: category, account_age_days: accountAge, country, hour },
      output: score,
    },
    label: truth > 0.5 ? 1 : 0,
  };
}

export interface PredictionPlan {
  predictions: DemoPrediction[];
  /** Labels for most predictions: some never get one, as in production. */
  labels: DemoLabel[];
  /** When the drift begins: the reference window ends here. */
  driftStart: Date;
  from: Date;
}

/**
 * `count` transactions spread evenly over the `hours` before `now`; the second half drifted.
 * Request ids carry `tag`, so a story replayed against the same Vigil adds rather than collides.
 */
export function predictionPlan(opts: {
  now: Date;
  hours: number;
  count: number;
  seed: number;
  tag: string;
  labelShare?: number;
}): PredictionPlan {
  const r = rng(opts.seed);
  const span = opts.hours * 3_600_000;
  const from = new Date(opts.now.getTime() - span);
  const driftStart = new Date(from.getTime() + span / 2);
  const predictions: DemoPrediction[] = [];
  const labels: DemoLabel[] = [];
  for (let i = 0; i < opts.count; i++) {
    // The last one a minute before now: "now" is never in the future of the server's clock.
    const at = new Date(from.getTime() + ((span - 60_000) * i) / opts.count);
    const t = transaction(r, at >= driftStart, at, `${opts.tag}-${i}`);
    predictions.push(t.prediction);
    if (r() < (opts.labelShare ?? 0.9))
      labels.push({ model: MODEL, requestId: t.prediction.requestId, label: t.label });
  }
  return { predictions, labels, driftStart, from };
}

const PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/integration/spark";
const SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

type Fields = [string, string][];

function dataset(name: string, fields?: Fields, lineage?: Record<string, [string, string][]>) {
  return {
    namespace: WAREHOUSE,
    name,
    facets: {
      ...(fields
        ? {
            schema: {
              _producer: PRODUCER,
              _schemaURL:
                "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
              fields: fields.map(([name, type]) => ({ name, type })),
            },
          }
        : {}),
      ...(lineage
        ? {
            columnLineage: {
              _producer: PRODUCER,
              _schemaURL:
                "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
              fields: Object.fromEntries(
                Object.entries(lineage).map(([out, ins]) => [
                  out,
                  {
                    inputFields: ins.map(([inName, field]) => ({
                      namespace: WAREHOUSE,
                      name: inName,
                      field,
                      transformations: [{ type: "DIRECT", subtype: "IDENTITY" }],
                    })),
                  },
                ]),
              ),
            },
          }
        : {}),
    },
  };
}

function runEvent(
  job: string,
  eventTime: Date,
  runId: string,
  inputs: ReturnType<typeof dataset>[],
  outputs: ReturnType<typeof dataset>[],
) {
  return {
    eventType: "COMPLETE",
    eventTime: eventTime.toISOString(),
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId },
    job: { namespace: "spark://payments", name: job },
    inputs,
    outputs,
  };
}

const RAW_FIELDS: Fields = [
  ["payment_id", "STRING"],
  ["account_id", "STRING"],
  ["amount_usd", "DOUBLE"],
  ["merchant_category", "STRING"],
  ["country", "STRING"],
  ["created_at", "TIMESTAMP"],
];
/** The producer's new version: `amount_usd` replaced by a local-currency `amount` and `currency`. */
const RAW_FIELDS_V2: Fields = [
  ["payment_id", "STRING"],
  ["account_id", "STRING"],
  ["amount", "DOUBLE"],
  ["currency", "STRING"],
  ["merchant_category", "STRING"],
  ["country", "STRING"],
  ["created_at", "TIMESTAMP"],
];
const STAGING_FIELDS: Fields = [
  ["payment_id", "STRING"],
  ["account_id", "STRING"],
  ["amount_usd", "DOUBLE"],
  ["merchant_category", "STRING"],
  ["country", "STRING"],
  ["created_at", "TIMESTAMP"],
];
const STAGING_FIELDS_V2: Fields = STAGING_FIELDS.filter(([n]) => n !== "amount_usd").concat([
  ["amount", "DOUBLE"],
  ["currency", "STRING"],
]);
const FEATURE_FIELDS: Fields = [
  ["payment_id", "STRING"],
  ["amount", "DOUBLE"],
  ["merchant_category", "STRING"],
  ["account_age_days", "INT"],
  ["country", "STRING"],
  ["hour", "INT"],
];

/** 16 hex digits (FNV-1a, twice), the shape of an Alertmanager fingerprint. */
export function hex16(text: string): string {
  let a = 2166136261;
  let b = 0x9747b28c;
  for (const ch of text) {
    a = Math.imul(a ^ ch.charCodeAt(0), 16777619) >>> 0;
    b = Math.imul(b ^ ch.charCodeAt(0), 16777619) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

/** A deterministic UUID (version 4 layout) for a run, from the story's tag and a counter. */
export function runId(tag: string, n: number): string {
  const h = hex16(`${tag}:${n}`) + hex16(`${n}:${tag}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The feature pipeline's lineage before the change: raw.payments → (ingest_payments) →
 * staging.payments → (build_fraud_features) → features.transactions, with column lineage, so a
 * change of `amount_usd` reaches the features the fraud model reads.
 */
export function pipelineEvents(at: Date, tag: string) {
  const later = new Date(at.getTime() + 60_000);
  return [
    runEvent(
      "ingest_payments",
      at,
      runId(tag, 1),
      [dataset(RAW_DATASET, RAW_FIELDS)],
      [
        dataset(
          STAGING_DATASET,
          STAGING_FIELDS,
          Object.fromEntries(STAGING_FIELDS.map(([f]) => [f, [[RAW_DATASET, f]]])),
        ),
      ],
    ),
    runEvent(
      "build_fraud_features",
      later,
      runId(tag, 2),
      [dataset(STAGING_DATASET)],
      [
        dataset(FEATURE_DATASET, FEATURE_FIELDS, {
          payment_id: [[STAGING_DATASET, "payment_id"]],
          amount: [[STAGING_DATASET, "amount_usd"]],
          merchant_category: [[STAGING_DATASET, "merchant_category"]],
          account_age_days: [[STAGING_DATASET, "account_id"]],
          country: [[STAGING_DATASET, "country"]],
          hour: [[STAGING_DATASET, "created_at"]],
        }),
      ],
    ),
  ];
}

/** The next ingest run, after the producer's release: `amount_usd` is gone from both datasets. */
export function breakingChangeEvent(at: Date, tag: string) {
  return runEvent(
    "ingest_payments",
    at,
    runId(tag, 3),
    [dataset(RAW_DATASET, RAW_FIELDS_V2)],
    [
      dataset(
        STAGING_DATASET,
        STAGING_FIELDS_V2,
        Object.fromEntries(STAGING_FIELDS_V2.map(([f]) => [f, [[RAW_DATASET, f]]])),
      ),
    ],
  );
}

export interface DemoAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt?: Date;
}

/** An Alertmanager webhook (version 4) notification for one group of alerts, as Alertmanager sends it. */
export function alertmanagerPayload(status: "firing" | "resolved", alerts: DemoAlert[]) {
  const common = alerts[0]!.labels;
  return {
    version: "4",
    groupKey: `{}:{alertname="${common.alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: "vigil",
    groupLabels: { alertname: common.alertname! },
    commonLabels: common,
    commonAnnotations: alerts[0]!.annotations,
    externalURL: "http://127.0.0.1:9093",
    alerts: alerts.map((a) => ({
      status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt.toISOString(),
      endsAt: status === "resolved" && a.endsAt ? a.endsAt.toISOString() : "0001-01-01T00:00:00Z",
      generatorURL: `http://127.0.0.1:9090/graph?g0.expr=${encodeURIComponent(a.labels.alertname!)}`,
      fingerprint: a.fingerprint,
    })),
  };
}

/** The pod of the model server crash-looped for half an hour (fires, then resolves). */
export function crashLoopAlert(now: Date, tag: string): DemoAlert {
  return {
    fingerprint: hex16(`KubePodCrashLooping:${tag}`),
    labels: {
      alertname: "KubePodCrashLooping",
      severity: "warning",
      namespace: "payments",
      pod: "fraud-detector-6c9f7d5b8-x2k4q",
      container: "model-server",
      service: MODEL,
    },
    annotations: {
      summary: "Pod is crash looping.",
      description:
        "Pod payments/fraud-detector-6c9f7d5b8-x2k4q (model-server) is in waiting state (reason: CrashLoopBackOff).",
      runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
    },
    startsAt: new Date(now.getTime() - 95 * 60_000),
    endsAt: new Date(now.getTime() - 62 * 60_000),
  };
}

/** Checkout's autoscaler has been at its maximum since the error rate rose: still firing. */
export function hpaMaxedAlert(now: Date, tag: string): DemoAlert {
  return {
    fingerprint: hex16(`KubeHpaMaxedOut:${tag}`),
    labels: {
      alertname: "KubeHpaMaxedOut",
      severity: "warning",
      namespace: "shop",
      horizontalpodautoscaler: "checkout",
      service: "checkout",
    },
    annotations: {
      summary: "HPA is running at max replicas",
      description: "HPA shop/checkout has been running at max replicas for longer than 15 minutes.",
      runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubehpamaxedout",
    },
    startsAt: new Date(now.getTime() - 40 * 60_000),
  };
}
