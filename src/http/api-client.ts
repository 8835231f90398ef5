/**
 * The CLI's HTTP client for a running Vigil (VIGIL_URL + VIGIL_API_KEY): the embedded database
 * belongs to the server process, so CLI commands go through its API rather than opening it.
 * Retries 429/503 (and connection errors) honouring Retry-After, so a busy or restarting server is
 * not an error; every API call the CLI makes is idempotent (same content → same result).
 */
export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  text?: string;
  contentType?: string;
  /** Undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
}

export interface ApiClient {
  /** VIGIL_URL without a trailing slash. */
  readonly base: string;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: RequestOptions["query"]): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/** The server answered with an error status (after retries for 429/503). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The server could not be reached at all (after retries). */
export class ApiUnreachableError extends Error {}

export function apiClient(
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: typeof fetch = fetch,
  options: { attempts?: number } = {},
): ApiClient {
  const base = (env.VIGIL_URL || "http://localhost:8080").replace(/\/+$/, "");
  const key = env.VIGIL_API_KEY;
  if (!key)
    throw new Error("set VIGIL_API_KEY (and VIGIL_URL, default http://localhost:8080) to talk to Vigil");
  const retries = (options.attempts ?? 5) - 1;

  async function request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: "application/json" };
    let body: string | undefined;
    if (o.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(o.json);
    } else if (o.text !== undefined) {
      headers["content-type"] = o.contentType ?? "text/plain";
      body = o.text;
    }
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetchImpl(url, { method, headers, body });
      } catch (error) {
        if (attempt >= retries) {
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          const why = cause?.code ?? cause?.message ?? (error as Error).message;
          throw new ApiUnreachableError(`cannot reach Vigil at ${base} (${why}); is it running? (VIGIL_URL)`);
        }
        await sleep(500 * 2 ** attempt);
        continue;
      }
      if ((res.status === 429 || res.status === 503) && attempt < retries) {
        await sleep(retryDelayMs(res.headers.get("retry-after"), attempt));
        continue;
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        // A proxy's HTML error page, say: reported by status below, or as not JSON.
      }
      if (!res.ok) {
        const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
          ?.error;
        throw new ApiRequestError(
          res.status,
          `${res.status} ${e?.message ?? (res.statusText || "error")}`,
          e?.code,
          e?.details,
        );
      }
      if (text && json === undefined)
        throw new ApiRequestError(res.status, `${method} ${path}: the answer is not JSON`);
      return json as T;
    }
  }

  return {
    base,
    request,
    get: (path, query) => request("GET", path, { query }),
    post: (path, body) => request("POST", path, { json: body }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Longest wait a Retry-After may impose: a proxy's "come back tomorrow" must not hang a CLI. */
export const MAX_RETRY_AFTER_SECONDS = 60;

/** The wait before retry `attempt` (0-based): the server's Retry-After seconds, capped; else backoff. */
export function retryDelayMs(retryAfter: string | null, attempt: number): number {
  const after = Number(retryAfter);
  if (retryAfter && Number.isFinite(after) && after > 0)
    return Math.min(after, MAX_RETRY_AFTER_SECONDS) * 1000;
  return 500 * 2 ** attempt;
}
