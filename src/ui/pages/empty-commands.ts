/** The commands an empty page offers to copy: how to send the first data of each kind. */

export const demoCommand = () => "npx vigil demo";

export const tracesCommand = (origin: string) =>
  `export OTEL_EXPORTER_OTLP_ENDPOINT=${origin}\n` +
  `export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer $VIGIL_API_KEY"\n` +
  "export OTEL_SERVICE_NAME=my-service\n" +
  "node --require @opentelemetry/auto-instrumentations-node/register app.js";

export const alertCommand = (origin: string) =>
  `curl -X POST ${origin}/api/v1/alerts/generic \\\n` +
  `  -H "Authorization: Bearer $VIGIL_API_KEY" -H "content-type: application/json" \\\n` +
  `  -d '{"title":"Checkout latency high","source":"grafana","severity":"warning","status":"firing"}'`;

export const monitorCommand = (origin: string) =>
  `curl -X POST ${origin}/api/v1/monitors \\\n` +
  `  -H "Authorization: Bearer $VIGIL_API_KEY" -H "content-type: application/json" \\\n` +
  `  -d '{"name":"churn","model":"churn-model","features":["age","plan"],` +
  `"reference":{"kind":"range","from":"2026-01-01T00:00:00Z","to":"2026-01-08T00:00:00Z"}}'`;

export const schemaCommand = (origin: string) =>
  `curl -X POST "${origin}/api/v1/datasets/orders/schema?namespace=warehouse" \\\n` +
  `  -H "Authorization: Bearer $VIGIL_API_KEY" -H "content-type: application/json" \\\n` +
  `  -d '{"fields":[{"name":"id","type":"integer"},{"name":"amount","type":"number"}]}'`;

export const runbooksCommand = (origin: string) => `VIGIL_URL=${origin} npx vigil ingest runbooks ./runbooks`;

export const retrainingCommand = (origin: string) =>
  `curl -X PUT ${origin}/api/v1/monitors/$MONITOR_ID \\\n` +
  `  -H "Authorization: Bearer $VIGIL_API_KEY" -H "content-type: application/json" \\\n` +
  `  -d '{ …the monitor…, "retrainPolicy":{"repo":"acme/models","workflow":"retrain.yml"}}'`;
