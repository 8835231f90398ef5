/**
 * The demo's services, instrumented with the real OpenTelemetry SDK and exporting OTLP/protobuf to
 * Vigil's `/v1/traces` like any application would. Spans are given explicit times, so the story can
 * lay two hours of traffic out in seconds; the live trickle uses the clock.
 */
import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { MODEL, MODEL_VERSION, rng } from "./data.ts";

export const CHECKOUT = "checkout";

/** Thrown by the payment client when the provider does not answer: the story's recurring exception. */
export class PaymentGatewayTimeoutError extends Error {
  override name = "PaymentGatewayTimeoutError";
}

/** The payment client's call: always from this one place, so every occurrence is one incident. */
function chargeCard(orderId: number, provider: string, waitedMs: number): never {
  throw new PaymentGatewayTimeoutError(
    `payment provider ${provider} did not confirm the charge for order ${orderId} within ${waitedMs} ms`,
  );
}

export interface ExportStats {
  spans: number;
  failedSpans: number;
  lastError?: string;
}

/** Counts what the SDK exporter delivered: the SDK itself only logs a failed export. */
class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly stats: ExportStats,
  ) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter["export"]>[1]): void {
    this.inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS (@opentelemetry/core) is 0.
      if (result.code === 0) this.stats.spans += spans.length;
      else {
        this.stats.failedSpans += spans.length;
        this.stats.lastError = result.error?.message;
      }
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export interface TrafficResult {
  traceIds: string[];
  /** Traces whose `charge card` span recorded the gateway timeout. */
  exceptionTraceIds: string[];
  errors: number;
}

/**
 * Two services (`checkout` calling the `fraud-detector` model server), each a tracer provider with
 * its own resource, exporting through one counting OTLP/protobuf exporter.
 */
export class DemoTraffic {
  readonly stats: ExportStats = { spans: 0, failedSpans: 0 };
  private readonly providers: BasicTracerProvider[];
  private readonly checkout: Tracer;
  private readonly model: Tracer;
  private order = 10_000;
  private readonly random: () => number;

  constructor(baseUrl: string, apiKey: string, seed = 7) {
    const exporter = new CountingExporter(
      new OTLPTraceExporter({
        url: `${baseUrl}/v1/traces`,
        headers: { authorization: `Bearer ${apiKey}` },
        timeoutMillis: 30_000,
      }),
      this.stats,
    );
    const provider = (service: string, version: string) =>
      new BasicTracerProvider({
        resource: resourceFromAttributes({
          "service.name": service,
          "service.version": version,
          "deployment.environment": "demo",
        }),
        spanProcessors: [
          new BatchSpanProcessor(exporter, {
            maxQueueSize: 50_000,
            maxExportBatchSize: 1_000,
            scheduledDelayMillis: 500,
          }),
        ],
      });
    const checkout = provider(CHECKOUT, "3.14.0");
    const model = provider(MODEL, MODEL_VERSION);
    this.providers = [checkout, model];
    this.checkout = checkout.getTracer("shop-checkout", "3.14.0");
    this.model = model.getTracer("fraud-model-server", MODEL_VERSION);
    this.random = rng(seed);
  }

  /**
   * One user request at `at`. `errorRate`: the share of checkouts whose payment times out;
   * `slow`: latency multiplier (the gateway is slower while it is failing).
   */
  request(at: Date, opts: { errorRate: number; slow?: number }): { traceId: string; exception: boolean } {
    const r = this.random;
    const slow = opts.slow ?? 1;
    const route = r() < 0.55 ? "POST /api/checkout" : r() < 0.6 ? "GET /api/cart" : "GET /api/products";
    const t0 = at.getTime();
    const ms = (base: number, spread: number) => Math.max(1, base + spread * Math.abs(gauss(r)));
    const root = this.checkout.startSpan(route, {
      kind: SpanKind.SERVER,
      startTime: at,
      attributes: {
        "http.request.method": route.split(" ")[0]!,
        "http.route": route.split(" ")[1]!,
        "url.scheme": "https",
        "user_agent.original": "Mozilla/5.0 (demo)",
      },
    });
    const inRoot = trace.setSpan(context.active(), root);
    let t = t0 + ms(1, 2);
    t = this.child(this.checkout, inRoot, "SELECT shop.carts", t, ms(3, 6), SpanKind.CLIENT, {
      "db.system.name": "postgresql",
      "db.operation.name": "SELECT",
    });
    let exception = false;
    let status = 200;
    if (route === "POST /api/checkout") {
      t = this.scoreFraud(inRoot, t, ms(18, 25) * slow);
      const charge = this.checkout.startSpan(
        "charge card",
        { kind: SpanKind.CLIENT, startTime: new Date(t), attributes: { "payment.provider": "acme-pay" } },
        inRoot,
      );
      const failed = r() < opts.errorRate;
      const took = failed ? 5_000 : ms(120, 180) * slow;
      if (failed) {
        exception = true;
        status = 502;
        try {
          chargeCard(++this.order, "acme-pay", 5_000);
        } catch (error) {
          charge.recordException(error as Error, new Date(t + took));
          charge.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        }
      } else this.order++;
      charge.setAttribute("payment.waited_ms", Math.round(took));
      t += took;
      charge.end(new Date(t));
      if (!failed)
        t = this.child(this.checkout, inRoot, "INSERT shop.orders", t, ms(4, 8), SpanKind.CLIENT, {
          "db.system.name": "postgresql",
          "db.operation.name": "INSERT",
        });
    }
    root.setAttribute("http.response.status_code", status);
    if (status >= 500) root.setStatus({ code: SpanStatusCode.ERROR });
    root.end(new Date(t + ms(1, 2)));
    return { traceId: root.spanContext().traceId, exception };
  }

  /** checkout → fraud-detector: a client span and the model server's own server span under it. */
  private scoreFraud(parent: Context, t: number, took: number): number {
    const client = this.checkout.startSpan(
      "POST fraud-detector /predict",
      { kind: SpanKind.CLIENT, startTime: new Date(t) },
      parent,
    );
    const server = this.model.startSpan(
      "POST /predict",
      {
        kind: SpanKind.SERVER,
        startTime: new Date(t + 1),
        attributes: {
          "http.request.method": "POST",
          "http.route": "/predict",
          "http.response.status_code": 200,
        },
      },
      trace.setSpan(context.active(), client),
    );
    const inference = this.model.startSpan(
      "model.predict",
      {
        kind: SpanKind.INTERNAL,
        startTime: new Date(t + 2),
        attributes: { "ml.model.name": MODEL, "ml.model.version": MODEL_VERSION },
      },
      trace.setSpan(context.active(), server),
    );
    inference.end(new Date(t + took - 2));
    server.end(new Date(t + took - 1));
    client.end(new Date(t + took));
    return t + took;
  }

  private child(
    tracer: Tracer,
    parent: Context,
    name: string,
    t: number,
    took: number,
    kind: SpanKind,
    attributes: Record<string, string>,
  ): number {
    const span: Span = tracer.startSpan(name, { kind, startTime: new Date(t), attributes }, parent);
    span.end(new Date(t + took));
    return t + took;
  }

  /** Exports everything started so far; resolves when the exporter has answered. */
  async flush(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.shutdown()));
  }
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
}
