/**
 * `vigil init`: what a repository needs to join Vigil's loop — `.vigil.yml` (the PR checks and the
 * schema-check action read it), the retraining workflow with its report action (copied from
 * actions/, so there is one copy of each), and an OpenTelemetry setup that sends traces and
 * predictions to Vigil. All or nothing: with any of them present, nothing is written unless forced.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The files, relative to the repository root. */
export const INIT_FILES = {
  vigilFile: ".vigil.yml",
  workflow: ".github/workflows/vigil-retrain.yml",
  reportAction: ".github/actions/vigil-report/action.yml",
  otel: "vigil_otel.py",
} as const;

const asset = (path: string) => readFileSync(new URL(`../../actions/${path}`, import.meta.url), "utf8");

export interface InitOptions {
  dir: string;
  force: boolean;
  /** The model the snippets name. */
  model: string;
  /** Where the application reaches Vigil (OTLP and the API). */
  vigilUrl: string;
}

export interface InitResult {
  written: string[];
  /** Files that exist and were left alone (nothing is written then, unless forced). */
  existing: string[];
}

export function vigilYml(): string {
  return `# Vigil: the schema files and contracts its GitHub App checks on every pull request (and that
# the schema-check action diffs without the App). Paths are relative to the repository root.
schemas: []
#  - dataset: orders                 # the dataset's name in Vigil's lineage
#    path: schemas/orders.json       # JSON Schema, Vigil's { fields }, an OpenLineage facet, CREATE TABLE…
contracts: []
#  - model: churn
#    path: contracts/churn.json      # a model's data contract (the PUT /api/v1/contracts body)
failOn: breaking                     # breaking | any | never
`;
}

export function otelSnippet(model: string, vigilUrl: string): string {
  return `"""OpenTelemetry for Vigil: import this module once at start-up.

Traces go to Vigil's OTLP receiver; log_prediction() records a prediction as a span Vigil stores
as a prediction log (what its drift monitors and data contracts read).

    pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
    export VIGIL_URL=${vigilUrl} VIGIL_API_KEY=...   # a Vigil project API key
"""
import json
import os

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

MODEL = os.environ.get("VIGIL_MODEL", ${JSON.stringify(model)})
MODEL_VERSION = os.environ.get("VIGIL_MODEL_VERSION", "dev")

_provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", MODEL)}))
_provider.add_span_processor(
    BatchSpanProcessor(
        OTLPSpanExporter(
            endpoint=os.environ.get("VIGIL_URL", ${JSON.stringify(vigilUrl)}).rstrip("/") + "/v1/traces",
            headers={"Authorization": "Bearer " + os.environ["VIGIL_API_KEY"]},
        )
    )
)
trace.set_tracer_provider(_provider)
tracer = trace.get_tracer("vigil")


def log_prediction(features: dict, output, request_id: str | None = None, label=None) -> None:
    """One prediction, as the vigil.prediction.* attributes of a span (see Vigil's README, Traces)."""
    with tracer.start_as_current_span("predict") as span:
        span.set_attribute("vigil.prediction.model", MODEL)
        span.set_attribute("vigil.prediction.model_version", MODEL_VERSION)
        span.set_attribute("vigil.prediction.features", json.dumps(features))
        span.set_attribute("vigil.prediction.output", json.dumps(output))
        if request_id is not None:
            span.set_attribute("vigil.prediction.request_id", request_id)
        if label is not None:
            span.set_attribute("vigil.prediction.label", json.dumps(label))
`;
}

/** The files `vigil init` writes, by path relative to the repository root. */
export function initFiles(options: Pick<InitOptions, "model" | "vigilUrl">): Record<string, string> {
  return {
    [INIT_FILES.vigilFile]: vigilYml(),
    [INIT_FILES.workflow]: asset("retrain/workflow.yml"),
    [INIT_FILES.reportAction]: asset("report/action.yml"),
    [INIT_FILES.otel]: otelSnippet(options.model, options.vigilUrl),
  };
}

export function init(options: InitOptions): InitResult {
  const root = resolve(options.dir);
  const files = initFiles(options);
  const existing = Object.keys(files).filter((path) => existsSync(join(root, path)));
  if (existing.length > 0 && !options.force) return { written: [], existing };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { written: Object.keys(files), existing };
}
