import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { hexId, protobufRequest, span } from "../traces/otlp-builders.ts";
import { recordRun } from "./ledger.ts";
import {
  freePort,
  killAllVigils,
  killHard,
  scratchDatabase,
  sleep,
  startVigil,
  type VigilProcess,
  waitFor,
} from "./processes.ts";
import { deliver, newTally } from "./retrying-client.ts";

/**
 * kill -9 of `vigil serve` while retrying clients send spans (OTLP protobuf) and predictions, then
 * a restart on the same database and port, several times. The clients resend a request until it is
 * acknowledged — the same bytes, so the span ids and (model, requestId) pairs repeat — and at the
 * end every acknowledged span and prediction is stored exactly once.
 */

const KILLS = 6;
const SPAN_CLIENTS = 3;
const SPAN_BATCHES = 50; // per client
const SPANS_PER_BATCH = 200;
const PREDICTION_CLIENTS = 2;
const PREDICTION_BATCHES = 40; // per client
const PREDICTIONS_PER_BATCH = 100;

describe("kill -9 mid-ingest [postgres]", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  afterAll(async () => {
    await killAllVigils();
    await scratch?.drop();
  });

  it(`${KILLS} kills while spans and predictions stream in: lost 0, duplicated 0`, async () => {
    scratch = await scratchDatabase("crash");
    const sql = scratch.sql;
    const port = await freePort();
    const key = `vigil_rel_${randomBytes(16).toString("hex")}`;
    const env = {
      DATABASE_URL: scratch.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      VIGIL_API_KEY: key,
      LOG_LEVEL: "warn",
      VIGIL_OTLP_THREADS: "1",
    };
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${key}` };
    let server: VigilProcess = await startVigil("serve", env);

    const tally = newTally();
    const ackedSpans = new Set<string>();
    const ackedPredictions = new Set<string>();
    let ackedBatches = 0;

    const spanClient = async () => {
      for (let b = 0; b < SPAN_BATCHES; b++) {
        const spans = Array.from({ length: SPANS_PER_BATCH }, () => span({ traceId: hexId(16) }));
        const body = protobufRequest(spans);
        await deliver(
          `${base}/v1/traces`,
          { method: "POST", body, headers: { ...auth, "content-type": "application/x-protobuf" } },
          tally,
        );
        for (const s of spans) ackedSpans.add(`${s.traceId}:${s.spanId}`);
        ackedBatches++;
      }
    };
    const predictionClient = async (client: number) => {
      for (let b = 0; b < PREDICTION_BATCHES; b++) {
        const rows = Array.from({ length: PREDICTIONS_PER_BATCH }, (_, i) => ({
          model: `crash-model-${client}`,
          requestId: `${client}-${b}-${i}`,
          features: { amount: b * i, country: "NL" },
          output: i % 2 === 0,
        }));
        await deliver(
          `${base}/api/v1/predictions`,
          {
            method: "POST",
            body: JSON.stringify(rows),
            headers: { ...auth, "content-type": "application/json" },
          },
          tally,
        );
        for (const r of rows) ackedPredictions.add(`${r.model}:${r.requestId}`);
        ackedBatches++;
      }
    };

    let kills = 0;
    let clientsDone = false;
    const totalBatches = SPAN_CLIENTS * SPAN_BATCHES + PREDICTION_CLIENTS * PREDICTION_BATCHES;
    const killer = async () => {
      while (kills < KILLS && !clientsDone) {
        // Kills spread over the workload (the k-th once k/(KILLS + 2) of it is acknowledged), each at
        // a random moment after that: on a fast machine a fixed number of batches per start let the
        // clients finish before the last kill.
        const milestone = Math.ceil(((kills + 1) * totalBatches) / (KILLS + 2));
        await waitFor("progress", async () => clientsDone || ackedBatches >= milestone, 180_000);
        if (clientsDone) break;
        await sleep(Math.random() * 100);
        await killHard(server);
        kills++;
        server = await startVigil("serve", env);
      }
    };

    const clients = Promise.all([
      ...Array.from({ length: SPAN_CLIENTS }, spanClient),
      ...Array.from({ length: PREDICTION_CLIENTS }, (_, i) => predictionClient(i)),
    ]).finally(() => {
      clientsDone = true;
    });
    await Promise.all([clients, killer()]);

    // Acknowledged spans are queued (span_batches); the restarted server writes what is left.
    await waitFor("the span queue to drain", async () => {
      const [row] = await sql`select count(*)::int as n from span_batches`;
      return row!.n === 0;
    });

    const spanRows = await sql<{ id: string; n: number }[]>`
      select trace_id || ':' || span_id as id, count(*)::int as n from spans group by 1`;
    const predictionRows = await sql<{ id: string; n: number }[]>`
      select model || ':' || request_id as id, count(*)::int as n from predictions group by 1`;
    const storedSpans = new Map(spanRows.map((r) => [r.id, r.n]));
    const storedPredictions = new Map(predictionRows.map((r) => [r.id, r.n]));
    const lostSpans = [...ackedSpans].filter((id) => !storedSpans.has(id)).length;
    const lostPredictions = [...ackedPredictions].filter((id) => !storedPredictions.has(id)).length;
    const duplicatedSpans = spanRows.reduce((a, r) => a + r.n - 1, 0);
    const duplicatedPredictions = predictionRows.reduce((a, r) => a + r.n - 1, 0);
    const sentSpans = SPAN_CLIENTS * SPAN_BATCHES * SPANS_PER_BATCH;
    const sentPredictions = PREDICTION_CLIENTS * PREDICTION_BATCHES * PREDICTIONS_PER_BATCH;
    const faults = `kill -9 × ${kills}, ${tally.unanswered} unanswered attempts`;
    recordRun({
      test: "crash: spans (OTLP)",
      load: `${SPAN_CLIENTS} clients × ${SPAN_BATCHES} × ${SPANS_PER_BATCH} spans`,
      faults,
      sent: sentSpans,
      acked: ackedSpans.size,
      stored: spanRows.reduce((a, r) => a + r.n, 0),
      lost: lostSpans,
      duplicated: duplicatedSpans,
      fiveXX: tally.fiveXX,
    });
    recordRun({
      test: "crash: predictions",
      load: `${PREDICTION_CLIENTS} clients × ${PREDICTION_BATCHES} × ${PREDICTIONS_PER_BATCH} rows`,
      faults,
      sent: sentPredictions,
      acked: ackedPredictions.size,
      stored: predictionRows.reduce((a, r) => a + r.n, 0),
      lost: lostPredictions,
      duplicated: duplicatedPredictions,
      fiveXX: tally.fiveXX,
    });

    expect(kills).toBe(KILLS);
    expect(ackedSpans.size).toBe(sentSpans);
    expect(ackedPredictions.size).toBe(sentPredictions);
    expect({ lostSpans, duplicatedSpans, lostPredictions, duplicatedPredictions }).toEqual({
      lostSpans: 0,
      duplicatedSpans: 0,
      lostPredictions: 0,
      duplicatedPredictions: 0,
    });
    // Nothing but what the clients sent.
    expect(storedSpans.size).toBe(sentSpans);
    expect(storedPredictions.size).toBe(sentPredictions);
    expect(tally.fiveXX, server.output().slice(-4000)).toBe(0);
  });
});
