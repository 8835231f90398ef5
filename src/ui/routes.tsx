import { Hono, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { ApiFailure, type ApiFetch, SignedOut } from "./api.ts";
import { assetRoutes } from "./assets.ts";
import { askPage, askStream } from "./pages/ask.tsx";
import { render } from "./pages/common.tsx";
import { datasetListPage, datasetPage } from "./pages/datasets.tsx";
import { incidentActionHandler, incidentListPage, incidentPage } from "./pages/incidents.tsx";
import { monitorListPage, monitorPage, reportPage } from "./pages/monitors.tsx";
import { overviewPage } from "./pages/overview.tsx";
import { retrainingPage } from "./pages/retraining.tsx";
import { signInPage } from "./pages/sign-in.tsx";
import { traceListPage, tracePage } from "./pages/traces.tsx";
import { endSession, projectOfKey, requireSession, safeNext, startSession, type UiEnv } from "./session.ts";

/** Paths of the UI's pages: each needs a signed-in key. */
const PAGES = ["/", "/incidents", "/traces", "/monitors", "/reports", "/datasets", "/retraining", "/ask"];

/**
 * The web UI under `/`, rendered on the server (hono/jsx). Data comes from the API in process
 * (`api`, see api.ts) with the key of the sign-in cookie. Forms that change something are
 * CSRF-safe twice over: the cookie is SameSite=Strict and hono's csrf middleware refuses a POST
 * whose Origin is not this origin.
 */
export function uiRoutes(version: string, api: ApiFetch): Hono<UiEnv> {
  const ui = new Hono<UiEnv>();
  ui.route("/", assetRoutes());
  // Only the UI's own paths: this router is mounted at `/`, and a middleware on `*` would also run
  // for the API (a CLI's multipart upload has no Origin and must not meet the CSRF check).
  const checkOrigin = csrf();
  const own: MiddlewareHandler<UiEnv> = async (c, next) => {
    c.set("uiVersion", version);
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    return checkOrigin(c, next);
  };
  for (const p of [...PAGES, "/sign-in", "/sign-out"]) {
    ui.use(p, own);
    if (p !== "/") ui.use(`${p}/*`, own);
  }

  ui.get("/sign-in", (c) => signInPage(c, { next: safeNext(c.req.query("next")) }));
  ui.post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.key === "string" ? form.key.trim() : "";
    const next = safeNext(typeof form.next === "string" ? form.next : undefined);
    const project = key ? await projectOfKey(api, key) : undefined;
    if (!project) return signInPage(c, { next, error: "That key was not accepted.", status: 400 });
    startSession(c, key);
    return c.redirect(next, 303);
  });
  ui.post("/sign-out", (c) => {
    endSession(c);
    return c.redirect("/sign-in", 303);
  });

  const session = requireSession(api);
  for (const p of PAGES) {
    ui.use(p, session);
    if (p !== "/") ui.use(`${p}/*`, session);
  }

  ui.get("/", overviewPage);
  ui.get("/incidents", incidentListPage);
  ui.get("/incidents/:id", incidentPage);
  ui.post("/incidents/:id/:action", incidentActionHandler);
  ui.get("/traces", traceListPage);
  ui.get("/traces/:id", tracePage);
  ui.get("/monitors", monitorListPage);
  ui.get("/monitors/:id", monitorPage);
  ui.get("/reports/:id", reportPage);
  ui.get("/datasets", datasetListPage);
  ui.get("/datasets/:name", datasetPage);
  ui.get("/retraining", retrainingPage);
  ui.get("/ask", askPage);
  ui.post("/ask/stream", askStream);

  ui.onError((error, c) => {
    if (error instanceof SignedOut) {
      endSession(c);
      return c.redirect("/sign-in", 303);
    }
    if (error instanceof ApiFailure) {
      const status = error.status === 404 ? 404 : error.status < 500 ? 400 : 502;
      return render(
        c,
        "Error",
        <>
          <h1>{status === 404 ? "Not found" : "That did not work"}</h1>
          <p class="notice error" role="alert">
            {error.message} <span class="muted">({error.code})</span>
          </p>
          <p>
            <a href="/">Back to the overview</a>
          </p>
        </>,
        { status },
      );
    }
    throw error;
  });
  return ui;
}
