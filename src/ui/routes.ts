import { Hono } from "hono";

/**
 * `/`: what a person sees when they open Vigil in a browser. The API needs a key, so the page only
 * points at what is public (docs, health, metrics) and shows how to authenticate.
 */
export function uiRoutes(version: string): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    const origin = escapeHtml(new URL(c.req.url).origin);
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1d2430}
h1{margin-bottom:.2rem}code,pre{background:#f2f4f7;border-radius:4px;padding:.1rem .3rem}
pre{padding:.8rem;overflow:auto}a{color:#1a5fb4}li{margin:.3rem 0}.muted{color:#667085}
</style></head>
<body>
<h1>Vigil</h1>
<p class="muted">Observability and data quality for ML systems · v${version}</p>
<ul>
<li><a href="/docs">API documentation</a> (<a href="/openapi.json">OpenAPI document</a>)</li>
<li><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a></li>
</ul>
<p>Every <code>/api</code> and <code>/v1</code> route needs an API key (printed on first start, or
<code>vigil keys create --project NAME</code>):</p>
<pre>curl -H "Authorization: Bearer $VIGIL_API_KEY" ${origin}/api/v1/whoami</pre>
<p>Point an OpenTelemetry SDK at Vigil with
<code>OTEL_EXPORTER_OTLP_ENDPOINT</code> and <code>OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer …"</code>.</p>
</body></html>`);
  });
  return app;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
