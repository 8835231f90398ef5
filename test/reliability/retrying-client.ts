import { sleep } from "./processes.ts";

/**
 * A client that keeps one request until it is acknowledged, as OTLP exporters and the CLI do:
 * connection errors (a server killed or restarting) and 429/503 with Retry-After are retried with
 * the same body. Anything else that is not 2xx is counted, and a 5xx is retried too — a client
 * cannot tell a crash from an error — while a 4xx is a bug in the test or the server: thrown.
 */
export interface Tally {
  /** 429/503 answers with a Retry-After: the documented "come back later". */
  busy: number;
  /** 5xx answers a client was not told to expect (no Retry-After, or another status). */
  fiveXX: number;
  /** Attempts that got no answer (refused, reset: the server was down). */
  unanswered: number;
}

export const newTally = (): Tally => ({ busy: 0, fiveXX: 0, unanswered: 0 });

export async function deliver(
  url: string,
  init: RequestInit,
  tally: Tally,
  options: { giveUpMs?: number } = {},
): Promise<Response> {
  const deadline = Date.now() + (options.giveUpMs ?? 180_000);
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > deadline) throw new Error(`${url}: not acknowledged after ${attempt} attempts`);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    } catch {
      tally.unanswered++;
      await sleep(100 + Math.random() * 200);
      continue;
    }
    if (res.ok) return res;
    const retryAfter = Number(res.headers.get("retry-after"));
    await res.arrayBuffer().catch(() => undefined);
    if ((res.status === 429 || res.status === 503) && retryAfter > 0) {
      tally.busy++;
      await sleep(Math.min(retryAfter * 1000, 2000) * (0.5 + Math.random() / 2));
      continue;
    }
    if (res.status >= 500) {
      tally.fiveXX++;
      await sleep(200);
      continue;
    }
    throw new Error(`${url}: ${res.status} ${await res.text().catch(() => "")}`);
  }
}
