import { Badge, Chart, EmptyState } from "../layout.tsx";
import { hasDistributions } from "../views/distributions.ts";
import { ago, formatNumber, formatPercent, utc } from "../views/format.ts";
import { driftSeries, performanceRows, reportFeatures } from "../views/monitors.ts";
import type { Monitor, Report } from "../views/types.ts";
import { originOf, render, type UiContext } from "./common.tsx";
import { DistributionFigure } from "./distribution-chart.tsx";
import { monitorCommand } from "./empty-commands.ts";
import { notFoundPage } from "./incidents.tsx";

const verdictOf = (r: Report | undefined) =>
  !r ? "none" : r.status !== "ok" ? r.status : r.drifted ? "drifted" : "ok";

function Verdict({ report }: { report?: Report }) {
  const v = verdictOf(report);
  return (
    <Badge kind={v === "none" ? "neutral" : v}>{v === "none" ? "no report yet" : v.replace("_", " ")}</Badge>
  );
}

export async function monitorListPage(c: UiContext) {
  const api = c.get("api");
  const { monitors } = await api.get<{ monitors: Monitor[] }>("/api/v1/monitors");
  const latest = await Promise.all(
    monitors.map((m) =>
      api
        .get<{ reports: Report[] }>("/api/v1/reports", { monitorId: m.id, limit: 1 })
        .then((r) => r.reports[0]),
    ),
  );
  const now = Date.now();
  return render(
    c,
    "Monitors",
    <>
      <h1>Monitors</h1>
      {monitors.length ? (
        <div class="table">
          <table data-testid="monitor-list">
            <thead>
              <tr>
                <th scope="col">Monitor</th>
                <th scope="col">Model</th>
                <th scope="col">Latest verdict</th>
                <th scope="col">Drifted features</th>
                <th scope="col" class="hide-narrow">
                  Last run
                </th>
              </tr>
            </thead>
            <tbody>
              {monitors.map((m, i) => (
                <tr>
                  <td>
                    <a href={`/monitors/${m.id}`}>{m.name}</a>
                  </td>
                  <td>{m.model}</td>
                  <td>
                    <Verdict report={latest[i]} />
                  </td>
                  <td>
                    {latest[i]?.features
                      .filter((f) => f.drifted)
                      .map((f) => f.name)
                      .join(", ") || "—"}
                  </td>
                  <td class="hide-narrow">{ago(m.lastRunAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <EmptyState title="No monitors yet" command={monitorCommand(originOf(c))}>
          <p>
            A monitor compares a model's recent predictions (sent to <code>/api/v1/predictions</code> or
            carried by spans) with a reference window, on a schedule. Create one:
          </p>
        </EmptyState>
      )}
    </>,
  );
}

/** Reports drawn on a monitor's chart and listed under it. */
const REPORTS = 50;

export async function monitorPage(c: UiContext) {
  const api = c.get("api");
  const id = c.req.param("id") ?? "";
  const monitor = await api.find<Monitor>(`/api/v1/monitors/${encodeURIComponent(id)}`);
  if (!monitor) return notFoundPage(c, "monitor");
  const drifted = c.req.query("drifted") === "true" ? "true" : undefined;
  const { reports } = await api.get<{ reports: Report[] }>("/api/v1/reports", {
    monitorId: monitor.id,
    limit: REPORTS,
    drifted,
  });
  const chart = driftSeries(reports);
  const now = Date.now();
  return render(
    c,
    monitor.name,
    <>
      <p>
        <a href="/monitors">← Monitors</a>
      </p>
      <h1>{monitor.name}</h1>
      <dl class="facts">
        <dt>Model</dt>
        <dd>{monitor.model}</dd>
        <dt>Features</dt>
        <dd>{monitor.features.join(", ") || "all"}</dd>
        <dt>Latest</dt>
        <dd>
          <Verdict report={reports[0]} />
        </dd>
        <dt>Next run</dt>
        <dd>{monitor.enabled ? utc(monitor.nextRunAt) : "disabled"}</dd>
      </dl>
      {reports.length ? (
        <>
          <Chart
            id="chart-drift"
            label="Drift score per feature (1 = the test's threshold; above it, drifted)"
            spec={{ kind: "lines", x: chart.x, series: chart.series, yMin: 0, yLabel: "score" }}
          />
          <h2>Reports</h2>
          <p>
            {drifted ? (
              <a href={`/monitors/${monitor.id}`}>Show all reports</a>
            ) : (
              <a href={`/monitors/${monitor.id}?drifted=true`}>Show drifted reports only</a>
            )}
          </p>
          <div class="table">
            <table data-testid="report-list">
              <thead>
                <tr>
                  <th scope="col">Report</th>
                  <th scope="col">Verdict</th>
                  <th scope="col" class="num">
                    Drifted share
                  </th>
                  <th scope="col" class="num">
                    Current rows
                  </th>
                </tr>
              </thead>
              <tbody>
                {reports.map((r) => (
                  <tr>
                    <td>
                      <a href={`/reports/${r.id}`}>{utc(r.createdAt)}</a>{" "}
                      <span class="muted">{ago(r.createdAt, now)}</span>
                    </td>
                    <td>
                      <Verdict report={r} />
                    </td>
                    <td class="num">{formatPercent(r.share)}</td>
                    <td class="num">{r.current.rows ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p class="notice">No reports yet: the first arrives at the next scheduled run.</p>
      )}
    </>,
    { charts: reports.length > 0 },
  );
}

export async function reportPage(c: UiContext) {
  const api = c.get("api");
  const id = c.req.param("id") ?? "";
  const report = await api.find<Report>(`/api/v1/reports/${encodeURIComponent(id)}`);
  if (!report) return notFoundPage(c, "report");
  const monitor = await api.find<Monitor>(`/api/v1/monitors/${encodeURIComponent(report.monitorId)}`);
  const features = reportFeatures(report);
  const perf = performanceRows(report.performance);
  const distributions = hasDistributions(report);
  return render(
    c,
    "Drift report",
    <>
      <p>
        <a href={`/monitors/${report.monitorId}`}>← {monitor?.name ?? "Monitor"}</a>
      </p>
      <h1>
        Drift report <Verdict report={report} />
      </h1>
      <dl class="facts">
        <dt>Created</dt>
        <dd>{utc(report.createdAt)}</dd>
        <dt>Reference</dt>
        <dd>
          {report.reference.rows ?? "—"} rows{" "}
          {report.reference.from ? `· ${utc(report.reference.from)} – ${utc(report.reference.to)}` : ""}
        </dd>
        <dt>Current</dt>
        <dd>
          {report.current.rows ?? "—"} rows{" "}
          {report.current.from ? `· ${utc(report.current.from)} – ${utc(report.current.to)}` : ""}
        </dd>
        <dt>Drifted share</dt>
        <dd>{formatPercent(report.share)}</dd>
        {report.error ? (
          <>
            <dt>Error</dt>
            <dd>{report.error}</dd>
          </>
        ) : null}
      </dl>
      <Chart
        id="chart-scores"
        label="Drift score per feature (1 = threshold)"
        spec={{
          kind: "bars",
          x: features.map((f) => f.name),
          categories: features.map((f) => f.name),
          series: [
            { label: "score", values: features.map((f) => f.score) },
            { label: "threshold", values: features.map(() => 1), line: true },
          ],
          yMin: 0,
          yLabel: "score",
        }}
      />
      <h2>Features</h2>
      <div class="table">
        <table data-testid="feature-table">
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Verdict</th>
              <th scope="col">Test</th>
              <th scope="col" class="num">
                Statistic
              </th>
              <th scope="col" class="num">
                p-value
              </th>
              <th scope="col" class="num">
                Threshold
              </th>
              <th scope="col" class="num">
                Score
              </th>
              <th scope="col" class="num hide-narrow">
                Rows (ref / cur)
              </th>
            </tr>
          </thead>
          <tbody>
            {features.map((f, i) => (
              <tr data-feature={f.name}>
                <th scope="row">
                  {distributions ? <a href={`#dist-${i}`}>{f.name}</a> : f.name}{" "}
                  <span class="muted">{f.type ?? ""}</span>
                </th>
                <td>
                  <Badge kind={f.drifted ? "drifted" : "ok"}>{f.drifted ? "drifted" : "ok"}</Badge>
                  {f.error ? <div class="muted">{f.error.message}</div> : null}
                </td>
                <td>{f.test ?? "—"}</td>
                <td class="num">{formatNumber(f.statistic)}</td>
                <td class="num">{formatNumber(f.pValue)}</td>
                <td class="num">{formatNumber(f.threshold)}</td>
                <td class="num">{formatNumber(f.score)}</td>
                <td class="num hide-narrow">
                  {f.referenceSize ?? "—"} / {f.currentSize ?? "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {features.length ? (
        <>
          <h2>Reference vs current</h2>
          {distributions ? (
            <div class="dists" data-testid="distributions">
              {features.map((f, i) => (
                <DistributionFigure id={`dist-${i}`} name={f.name} distribution={f.distribution} />
              ))}
            </div>
          ) : (
            <p class="notice" data-testid="no-distributions">
              This report was made before Vigil stored each feature's distribution: the monitor's next run
              shows them here.
            </p>
          )}
        </>
      ) : null}
      {perf.rows.length ? (
        <>
          <h2>Performance</h2>
          <p>
            {perf.degraded ? <Badge kind="drifted">degraded</Badge> : <Badge kind="ok">within bounds</Badge>}{" "}
            {perf.change !== null ? `change ${formatPercent(perf.change)}` : ""}
          </p>
          <div class="table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col" class="num">
                    Reference
                  </th>
                  <th scope="col" class="num">
                    Current
                  </th>
                </tr>
              </thead>
              <tbody>
                {perf.rows.map((m) => (
                  <tr>
                    <th scope="row">
                      {m.metric}
                      {m.primary ? " (judged)" : ""}
                    </th>
                    <td class="num">{formatNumber(m.reference)}</td>
                    <td class="num">{formatNumber(m.current)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {report.embeddings?.length ? (
        <>
          <h2>Embedding drift</h2>
          <div class="table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Embedding</th>
                  <th scope="col">Verdict</th>
                  <th scope="col" class="num">
                    MMD²
                  </th>
                  <th scope="col" class="num">
                    p-value
                  </th>
                  <th scope="col" class="num">
                    Threshold
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.embeddings.map((e) => (
                  <tr>
                    <th scope="row">{String(e.name)}</th>
                    <td>
                      <Badge kind={e.drifted ? "drifted" : "ok"}>{e.drifted ? "drifted" : "ok"}</Badge>
                    </td>
                    <td class="num">{formatNumber(e.statistic as number)}</td>
                    <td class="num">{formatNumber(e.pValue as number)}</td>
                    <td class="num">{formatNumber(e.threshold as number)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </>,
    { charts: features.length > 0 },
  );
}
