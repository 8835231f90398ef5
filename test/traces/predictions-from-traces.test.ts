import { expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { hexId, jsonRequest, span } from "./otlp-builders.ts";

describeEachDatabase("predictions carried by spans", (db) => {
  const t = useApp(db);

  it("a span with vigil.prediction.* becomes one prediction log; a retried export adds none", async () => {
    const traceId = hexId(16);
    const scored = span({
      traceId,
      name: "score",
      attributes: {
        "vigil.prediction.model": "churn",
        "vigil.prediction.model_version": "7",
        "vigil.prediction.feature.tenure": 14,
        "vigil.prediction.feature.plan": "pro",
        "vigil.prediction.output": 0.83,
      },
    });
    const plain = span({ traceId, name: "GET /health" });
    const body = jsonRequest([scored, plain], "scoring");
    for (let i = 0; i < 2; i++) expect((await t.post("/v1/traces", body)).status).toBe(200);
    await t.spansWritten();

    const rows = await db.database.execute<{
      model: string;
      model_version: string;
      request_id: string;
      features: unknown;
    }>("select model, model_version, request_id, features from predictions where project_id = $1", [
      t.projectId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      model: "churn",
      model_version: "7",
      request_id: `${traceId}:${scored.spanId}`,
      features: { tenure: 14, plan: "pro" },
    });
  });
});
