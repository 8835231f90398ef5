/**
 * How the UI reads and changes data: the app's own API, called in process (`app.request`, no
 * socket) with the signed-in key. The UI so sees exactly what the key sees through `/api` — one
 * project, the same validation and errors — and imports no capability's internals.
 */

export type ApiFetch = (path: string, init?: RequestInit) => Response | Promise<Response>;

/** The key was refused (revoked, or never valid): the browser must sign in again. */
export class SignedOut extends Error {}

/** The API answered with an error; shown on the page with its code and message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/** `path?query` without the empty values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export class UiApi {
  constructor(
    private readonly fetcher: ApiFetch,
    private readonly key: string,
  ) {}

  /** The raw response (streams): the caller checks the status. */
  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${this.key}`);
    return await this.fetcher(path, { ...init, headers });
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>(await this.raw(withQuery(path, query)));
  }

  /** GET that yields undefined on 404 (an id from a stale link). */
  async find<T>(path: string, query?: Query): Promise<T | undefined> {
    const res = await this.raw(withQuery(path, query));
    if (res.status === 404) return undefined;
    return this.json<T>(res);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(
      await this.raw(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  }

  private async json<T>(res: Response): Promise<T> {
    if (res.status === 401) throw new SignedOut("The API key was refused");
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!res.ok) {
      throw new ApiFailure(res.status, body.error?.code ?? "error", body.error?.message ?? res.statusText);
    }
    return body as T;
  }
}
