import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { type ApiFetch, UiApi } from "./api.ts";

/** The cookie holding the signed-in API key: httpOnly (no script reads it), SameSite=Strict. */
export const SESSION_COOKIE = "vigil_key";

/** The longest a sign-in lasts before the key must be given again (the key itself may live longer). */
const SESSION_SECONDS = 12 * 60 * 60;

export interface Project {
  id: string;
  name: string;
}

export type UiEnv = { Variables: { api: UiApi; project: Project; uiVersion: string } };

const isHttps = (c: Context) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";

export function startSession(c: Context, key: string): void {
  setCookie(c, SESSION_COOKIE, key, {
    httpOnly: true,
    sameSite: "Strict",
    secure: isHttps(c),
    path: "/",
    maxAge: SESSION_SECONDS,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
}

/** Checks a key against the API: its project, or undefined when the key is refused. */
export async function projectOfKey(fetcher: ApiFetch, key: string): Promise<Project | undefined> {
  const res = await new UiApi(fetcher, key).raw("/api/v1/whoami");
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { project: Project }).project;
}

/** A local path to return to after sign-in; anything else (another origin, `//host`) is `/`. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : "/";
}

/**
 * Pages need a signed-in key: without one (or with a refused one) the browser goes to the sign-in
 * page, which brings it back. The key's project is looked up per request, so a revoked key stops
 * working at once.
 */
export function requireSession(fetcher: ApiFetch): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const key = getCookie(c, SESSION_COOKIE);
    const project = key ? await projectOfKey(fetcher, key) : undefined;
    if (!key || !project) {
      if (key) endSession(c);
      const url = new URL(c.req.url);
      const back = c.req.method === "GET" ? url.pathname + url.search : "/";
      return c.redirect(`/sign-in?next=${encodeURIComponent(back)}`, 303);
    }
    c.set("api", new UiApi(fetcher, key));
    c.set("project", project);
    await next();
  };
}
