import type {
  Dataset,
  IncidentCount,
  IncidentKind,
  Monitor,
  Report,
  RetrainingRun,
  ServiceStats,
  Severity,
} from "./types.ts";

export const KINDS: IncidentKind[] = ["exception", "alert", "drift", "schema", "validation"];
export const SEVERITIES: Severity[] = ["critical", "error", "warning", "info"];

export interface OverviewInput {
  /** How many incidents are not resolved (open and acknowledged), per kind, severity and status. */
  active: IncidentCount[];
  services: ServiceStats[];
  monitors: Monitor[];
  latestReports: Map<string, Report | undefined>;
  datasets: Dataset[];
  runs: RetrainingRun[];
}

export interface OverviewModel {
  activeTotal: number;
  /** kind → severity → count, every kind and severity present (zeros included). */
  matrix: Array<{ kind: IncidentKind; counts: number[]; total: number }>;
  severityTotals: number[];
  services: ServiceStats[];
  monitors: Array<{
    monitor: Monitor;
    verdict: "drifted" | "ok" | "insufficient_data" | "error" | "none";
    report?: Report;
    driftedFeatures: string[];
  }>;
  recentSchemaChanges: Dataset[];
  runs: RetrainingRun[];
  empty: boolean;
}

export function overviewModel(input: OverviewInput): OverviewModel {
  const matrix = KINDS.map((kind) => {
    const counts = SEVERITIES.map((s) =>
      input.active.filter((i) => i.kind === kind && i.severity === s).reduce((n, i) => n + i.count, 0),
    );
    return { kind, counts, total: counts.reduce((a, b) => a + b, 0) };
  });
  const severityTotals = SEVERITIES.map((_s, i) => matrix.reduce((a, row) => a + row.counts[i]!, 0));
  const services = [...input.services].sort((a, b) => b.errorRate - a.errorRate || b.requests - a.requests);
  const monitors = input.monitors.map((monitor) => {
    const report = input.latestReports.get(monitor.id);
    const verdict = !report
      ? "none"
      : report.status !== "ok"
        ? report.status
        : report.drifted
          ? "drifted"
          : "ok";
    return {
      monitor,
      verdict: verdict as OverviewModel["monitors"][number]["verdict"],
      report,
      driftedFeatures: report?.features.filter((f) => f.drifted).map((f) => f.name) ?? [],
    };
  });
  const recentSchemaChanges = input.datasets
    .filter((d) => d.version > 1 || d.lastBreakingChangeAt)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, 8);
  return {
    activeTotal: input.active.reduce((n, i) => n + i.count, 0),
    matrix,
    severityTotals,
    services,
    monitors,
    recentSchemaChanges,
    runs: input.runs.slice(0, 5),
    empty:
      input.active.length === 0 &&
      input.services.length === 0 &&
      input.monitors.length === 0 &&
      input.datasets.length === 0 &&
      input.runs.length === 0,
  };
}
