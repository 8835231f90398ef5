import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { predictionsFromSpans, type SpanLike } from "../../src/predictions/from-spans.ts";
import { storePredictions } from "../../src/predictions/ingest.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const start = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z in ns
const span = (spanId: string, attributes: Record<string, unknown>): SpanLike => ({
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId,
  startNs: start,
  durationNs: 1_250_000_000n,
  attributes,
});

const vigilSpan = span("00f067aa0ba902b7", {
  "vigil.prediction.model": "churn",
  "vigil.prediction.model_version": "v3",
  "vigil.prediction.feature.age": 42,
  "vigil.prediction.feature.plan": "pro",
  "vigil.prediction.feature.emb": [0.1, 0.2],
  "vigil.prediction.features": '{"country":"NL"}',
  "vigil.prediction.output": 0.83,
  "http.route": "/predict",
});
// Attributes as the OpenTelemetry GenAI semantic conventions name them.
const genAiSpan = span("00f067aa0ba902b8", {
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "openai",
  "gen_ai.request.model": "gpt-4o",
  "gen_ai.response.model": "gpt-4o-2024-08-06",
  "gen_ai.response.id": "chatcmpl-123",
  "gen_ai.request.temperature": 0.2,
  "gen_ai.request.max_tokens": 512,
  "gen_ai.usage.input_tokens": 1200,
  "gen_ai.usage.output_tokens": 87,
  "gen_ai.response.finish_reasons": ["stop"],
});

describe("predictionsFromSpans", () => {
  it("reads vigil.prediction.* attributes", () => {
    const { rows, rejected } = predictionsFromSpans([vigilSpan, span("aa", { "http.route": "/x" })]);
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      {
        model: "churn",
        modelVersion: "v3",
        requestId: "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7",
        timestamp: 1_767_225_600_000,
        features: { country: "NL", age: 42, plan: "pro", emb: [0.1, 0.2] },
        output: 0.83,
      },
    ]);
  });
  it("reads OpenTelemetry GenAI spans", () => {
    const { rows } = predictionsFromSpans([genAiSpan]);
    expect(rows).toEqual([
      {
        model: "gpt-4o",
        modelVersion: "gpt-4o-2024-08-06",
        requestId: "chatcmpl-123",
        timestamp: 1_767_225_600_000,
        features: {
          operation: "chat",
          provider: "openai",
          temperature: 0.2,
          max_tokens: 512,
          input_tokens: 1200,
          output_tokens: 87,
          latency_ms: 1250,
        },
        output: "stop",
      },
    ]);
  });
  it("a span whose prediction is invalid is rejected with a reason, not thrown", () => {
    const { rows, rejected } = predictionsFromSpans([span("bb", { "vigil.prediction.model": "" })]);
    expect(rows).toEqual([]);
    expect(rejected[0]).toMatchObject({
      spanId: "bb",
      reason: expect.stringMatching(/^invalid prediction: model/),
    });
  });
});

describeEachDatabase("predictions from traces", (db) => {
  const t = useApp(db);
  it("storePredictions stores them once, however often the export is retried", async () => {
    const { rows } = predictionsFromSpans([vigilSpan, genAiSpan]);
    const first = await storePredictions(db.database.db, t.projectId, rows);
    expect(first).toMatchObject({ received: 2, inserted: 2 });
    const again = await storePredictions(db.database.db, t.projectId, rows);
    expect(again).toMatchObject({ received: 2, inserted: 0, duplicates: 2 });
    const stored = await db.database.query<{ model: string; source: string }>(
      sql`select model, source from predictions where project_id = ${t.projectId}::uuid order by model`,
    );
    expect(stored).toEqual([
      { model: "churn", source: "trace" },
      { model: "gpt-4o", source: "trace" },
    ]);
  });
});
