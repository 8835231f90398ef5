/**
 * The CLI's HTTP client for a running Vigil (VIGIL_URL + VIGIL_API_KEY): the embedded database
 * belongs to the server process, so search/ask/ingest go through its API rather than opening it.
 * Retries 429/503 (and connection errors) honouring Retry-After, so a busy server is not an error.
 */
export interface ApiClient {
  post<T>(path: string, body: unknown): Promise<T>;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function apiClient(env: NodeJS.ProcessEnv = process.env, fetchImpl: typeof fetch = fetch): ApiClient {
  const base = (env.VIGIL_URL || "http://localhost:8080").replace(/\/+$/, "");
  const key = env.VIGIL_API_KEY;
  if (!key)
    throw new Error("set VIGIL_API_KEY (and VIGIL_URL, default http://localhost:8080) to talk to Vigil");
  return {
    async post<T>(path: string, body: unknown): Promise<T> {
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await fetchImpl(`${base}${path}`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          });
        } catch (error) {
          if (attempt >= 4) throw new Error(`cannot reach ${base}: ${(error as Error).message}`);
          await sleep(500 * 2 ** attempt);
          continue;
        }
        if ((res.status === 429 || res.status === 503) && attempt < 4) {
          const after = Number(res.headers.get("retry-after"));
          await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : 500 * 2 ** attempt);
          continue;
        }
        const text = await res.text();
        const json = text ? (JSON.parse(text) as unknown) : undefined;
        if (!res.ok) {
          const e = (json as { error?: { message?: string } } | undefined)?.error;
          throw new ApiRequestError(res.status, `${res.status} ${e?.message ?? res.statusText}`);
        }
        return json as T;
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
