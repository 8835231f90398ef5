import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Hono } from "hono";

/**
 * The UI's static files, served by the app itself (no CDN: Vigil runs air-gapped): the stylesheet
 * and the island from src/ui/assets, uPlot's built files straight from its package. Read once at
 * start; nothing is built.
 */
const require = createRequire(import.meta.url);
const own = (name: string) => new URL(`./assets/${name}`, import.meta.url);

const FILES: Record<string, { path: string | URL; type: string }> = {
  "style.css": { path: own("style.css"), type: "text/css; charset=utf-8" },
  "app.js": { path: own("app.js"), type: "text/javascript; charset=utf-8" },
  "uPlot.iife.min.js": {
    path: require.resolve("uplot/dist/uPlot.iife.min.js"),
    type: "text/javascript; charset=utf-8",
  },
  "uPlot.min.css": { path: require.resolve("uplot/dist/uPlot.min.css"), type: "text/css; charset=utf-8" },
};

export const ASSET_PREFIX = "/ui/assets/";

export function assetRoutes(): Hono {
  const app = new Hono();
  const loaded = new Map(
    Object.entries(FILES).map(([name, f]) => [name, { body: readFileSync(f.path), type: f.type }]),
  );
  app.get(`${ASSET_PREFIX}:name`, (c) => {
    const file = loaded.get(c.req.param("name"));
    if (!file) return c.json({ error: { code: "not_found", message: "No such asset" } }, 404);
    return c.body(new Uint8Array(file.body), 200, {
      "content-type": file.type,
      // Not fingerprinted: an hour, then revalidated; a new Vigil version ships new files.
      "cache-control": "public, max-age=3600",
    });
  });
  return app;
}
