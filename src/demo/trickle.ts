/**
 * `vigil demo --keep-running`: a slow live stream after the story, so charts move — a few traced
 * requests and scored (and labelled) transactions every few seconds, and a drift run every minute.
 */
import { apiClient } from "../http/api-client.ts";
import { MODEL, rng, transaction } from "./data.ts";
import { DemoTraffic } from "./traces.ts";

export interface Trickle {
  /** Stops after the tick in flight; resolves once its spans are exported. */
  stop(): Promise<void>;
  /** Ticks done so far. */
  readonly ticks: number;
}

export function startTrickle(opts: {
  baseUrl: string;
  apiKey: string;
  monitorId: string;
  tag: string;
  everyMs?: number;
  log?: (line: string) => void;
}): Trickle {
  const every = opts.everyMs ?? 5_000;
  const log = opts.log ?? (() => {});
  const api = apiClient({ VIGIL_URL: opts.baseUrl, VIGIL_API_KEY: opts.apiKey }, fetch, { attempts: 2 });
  const traffic = new DemoTraffic(opts.baseUrl, opts.apiKey, Date.now() % 100_000);
  const r = rng(Date.now() % 2 ** 31);
  let ticks = 0;
  let n = 0;
  let lastRun = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = async () => {
    const now = Date.now();
    for (let i = 0; i < 3; i++) traffic.request(new Date(now - i * 1_000), { errorRate: 0.1, slow: 1.5 });
    const rows = Array.from({ length: 5 }, () =>
      transaction(r, true, new Date(now), `${opts.tag}-live-${n++}`),
    );
    await api.post(
      "/api/v1/predictions",
      rows.map((t) => t.prediction),
    );
    await api.post(
      "/api/v1/labels",
      rows.map((t) => ({ model: MODEL, requestId: t.prediction.requestId, label: t.label })),
    );
    await traffic.flush();
    if (now - lastRun >= 60_000) {
      lastRun = now;
      await api.post(`/api/v1/monitors/${opts.monitorId}/run`, {});
    }
    ticks++;
    if (ticks % 12 === 0) log(`live: ${ticks} ticks, ${traffic.stats.spans} spans, ${n} predictions sent`);
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = tick()
        .catch((error: Error) => log(`live: ${error.message} (will try again)`))
        .finally(schedule);
    }, every);
  };
  schedule();

  return {
    get ticks() {
      return ticks;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await traffic.shutdown();
    },
  };
}
