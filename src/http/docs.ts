import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Hono } from "hono";
import swaggerUi from "swagger-ui-dist";

const ASSETS = ["swagger-ui.css", "swagger-ui-bundle.js"] as const;

// A file, not an inline script: the Content-Security-Policy allows scripts from Vigil only.
const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", persistAuthorization: true });\n`;

/**
 * /docs: Swagger UI over /openapi.json, served from the swagger-ui-dist package so it works
 * air-gapped (no CDN).
 */
export function docsRoutes(): Hono {
  const app = new Hono();
  const dir = swaggerUi.getAbsoluteFSPath();
  const cache = new Map<string, Buffer>();
  app.get("/docs", (c) =>
    c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body></html>`),
  );
  app.get("/docs/assets/init.js", (c) =>
    c.body(INIT, 200, { "content-type": "text/javascript", "cache-control": "public, max-age=86400" }),
  );
  app.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file") as (typeof ASSETS)[number];
    if (!ASSETS.includes(file)) return c.notFound();
    let body = cache.get(file);
    if (!body) {
      body = await readFile(join(dir, file));
      cache.set(file, body);
    }
    const type = file.endsWith(".css") ? "text/css" : "text/javascript";
    return c.body(new Uint8Array(body), 200, {
      "content-type": type,
      "cache-control": "public, max-age=86400",
    });
  });
  return app;
}
