import type { NodeSDK } from "@opentelemetry/sdk-node";
import { type Config, otelEnabled } from "../config.ts";

/**
 * Vigil's own traces, configured entirely by the standard OTEL_* environment (the SDK reads it).
 * Off unless an exporter is configured, so a default start sends nothing anywhere.
 */
export async function startTelemetry(config: Config): Promise<{ shutdown(): Promise<void> }> {
  if (!otelEnabled(config)) return { shutdown: async () => {} };
  const { NodeSDK: SDK } = await import("@opentelemetry/sdk-node");
  const sdk: NodeSDK = new SDK({ serviceName: config.OTEL_SERVICE_NAME });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
