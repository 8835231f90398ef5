/**
 * Prediction logs carried by OpenTelemetry spans, so a model already instrumented with
 * OpenTelemetry needs no second client (pure). Two conventions:
 *
 * 1. Vigil's namespace (wins when both are present); the span is a prediction when it has
 *    `vigil.prediction.model`:
 *    - `vigil.prediction.model`, `vigil.prediction.model_version`, `vigil.prediction.request_id`
 *    - `vigil.prediction.feature.<name>` = a scalar or a list of numbers (one attribute a feature), and/or
 *      `vigil.prediction.features` = a map (OTLP kvlist) or a JSON object string
 *    - `vigil.prediction.output`, `vigil.prediction.label` = a scalar, a list of numbers, a map or JSON string
 * 2. OpenTelemetry GenAI semantic conventions (LLM calls): a span with `gen_ai.operation.name` or
 *    `gen_ai.system` / `gen_ai.provider.name` and a model (`gen_ai.request.model`, else
 *    `gen_ai.response.model`). Features: operation, provider, temperature, top_p, max_tokens,
 *    input_tokens, output_tokens, latency_ms; output: the first finish reason; modelVersion:
 *    `gen_ai.response.model`; requestId: `gen_ai.response.id`.
 *
 * The request id defaults to `<traceId>:<spanId>`, so a retried OTLP export stores nothing twice.
 * Spans whose prediction does not validate are returned as rejections, never thrown.
 */
import { type FeatureValue, PredictionIn } from "./model.ts";

/** The parts of a span this needs (structurally what src/traces stores). */
export interface SpanLike {
  traceId: string;
  spanId: string;
  startNs: bigint;
  durationNs?: bigint;
  attributes: Record<string, unknown>;
}

export const PREFIX = "vigil.prediction.";

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** int64 attributes beyond 2^53 arrive as strings: numbers where they are numeric-looking is not our call. */
function featureValue(v: unknown): FeatureValue | undefined {
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return v as number[];
  return undefined;
}

function vigilPrediction(span: SpanLike, a: Record<string, unknown>): unknown {
  const features: Record<string, unknown> = {};
  const bag = parseMaybeJson(a[`${PREFIX}features`]);
  if (bag && typeof bag === "object" && !Array.isArray(bag)) Object.assign(features, bag);
  for (const [k, v] of Object.entries(a)) {
    if (!k.startsWith(`${PREFIX}feature.`)) continue;
    const value = featureValue(parseMaybeJson(v));
    if (value !== undefined) features[k.slice(PREFIX.length + "feature.".length)] = value;
  }
  const out: Record<string, unknown> = {
    model: a[`${PREFIX}model`],
    requestId: a[`${PREFIX}request_id`] ?? `${span.traceId}:${span.spanId}`,
    timestamp: Number(span.startNs / 1_000_000n),
    features,
  };
  if (a[`${PREFIX}model_version`] !== undefined) out.modelVersion = String(a[`${PREFIX}model_version`]);
  if (a[`${PREFIX}output`] !== undefined) out.output = parseMaybeJson(a[`${PREFIX}output`]);
  if (a[`${PREFIX}label`] !== undefined) out.label = parseMaybeJson(a[`${PREFIX}label`]);
  return out;
}

const num = (v: unknown) =>
  typeof v === "number"
    ? v
    : typeof v === "string" && v !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;

const isVigilPrediction = (a: Record<string, unknown>) => a[`${PREFIX}model`] !== undefined;

/** A GenAI span with a model: the model's name, else undefined. */
function genAiModel(a: Record<string, unknown>): string | undefined {
  const isGenAi =
    a["gen_ai.operation.name"] !== undefined ||
    a["gen_ai.system"] !== undefined ||
    a["gen_ai.provider.name"] !== undefined;
  const model = a["gen_ai.request.model"] ?? a["gen_ai.response.model"];
  return isGenAi && typeof model === "string" ? model : undefined;
}

/** Whether a span carries a prediction log of either convention (valid or not): cheap, no parsing. */
export function carriesPrediction(span: Pick<SpanLike, "attributes">): boolean {
  return isVigilPrediction(span.attributes) || genAiModel(span.attributes) !== undefined;
}

function genAiPrediction(span: SpanLike, a: Record<string, unknown>): unknown | undefined {
  const model = genAiModel(a);
  if (model === undefined) return undefined;
  const finish = a["gen_ai.response.finish_reasons"];
  const finishReason = Array.isArray(finish) ? finish[0] : finish;
  const features: Record<string, FeatureValue> = {};
  const put = (name: string, v: unknown) => {
    if (v !== undefined && v !== null) features[name] = v as FeatureValue;
  };
  put("operation", a["gen_ai.operation.name"]);
  put("provider", a["gen_ai.provider.name"] ?? a["gen_ai.system"]);
  put("temperature", num(a["gen_ai.request.temperature"]));
  put("top_p", num(a["gen_ai.request.top_p"]));
  put("max_tokens", num(a["gen_ai.request.max_tokens"]));
  put("input_tokens", num(a["gen_ai.usage.input_tokens"]));
  put("output_tokens", num(a["gen_ai.usage.output_tokens"]));
  if (span.durationNs !== undefined) put("latency_ms", Number(span.durationNs) / 1e6);
  const out: Record<string, unknown> = {
    model,
    requestId:
      typeof a["gen_ai.response.id"] === "string"
        ? a["gen_ai.response.id"]
        : `${span.traceId}:${span.spanId}`,
    timestamp: Number(span.startNs / 1_000_000n),
    features,
    output: typeof finishReason === "string" ? finishReason : null,
  };
  if (typeof a["gen_ai.response.model"] === "string") out.modelVersion = a["gen_ai.response.model"];
  return out;
}

export interface SpanPredictions {
  rows: PredictionIn[];
  rejected: { traceId: string; spanId: string; reason: string }[];
}

/** The prediction logs in these spans (spans that carry none are skipped). */
export function predictionsFromSpans(spans: Iterable<SpanLike>): SpanPredictions {
  const rows: PredictionIn[] = [];
  const rejected: SpanPredictions["rejected"] = [];
  for (const span of spans) {
    const a = span.attributes;
    const raw = isVigilPrediction(a) ? vigilPrediction(span, a) : genAiPrediction(span, a);
    if (raw === undefined) continue;
    const parsed = PredictionIn.safeParse(raw);
    if (parsed.success) rows.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      rejected.push({
        traceId: span.traceId,
        spanId: span.spanId,
        reason: `invalid prediction: ${issue ? `${issue.path.join(".") || "(span)"}: ${issue.message}` : "invalid"}`,
      });
    }
  }
  return { rows, rejected };
}
