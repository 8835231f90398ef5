import { Badge, EmptyState } from "../layout.tsx";
import { ago, formatMs, formatPercent } from "../views/format.ts";
import { type OverviewModel, overviewModel, SEVERITIES } from "../views/overview.ts";
import type { Dataset, IncidentCount, Monitor, Report, RetrainingRun, ServiceStats } from "../views/types.ts";
import { render, type UiContext } from "./common.tsx";
import { demoCommand } from "./empty-commands.ts";

export const OVERVIEW_HOURS = 3;

export async function overviewPage(c: UiContext) {
  const api = c.get("api");
  const now = Date.now();
  const from = new Date(now - OVERVIEW_HOURS * 3600_000).toISOString();
  const [active, services, monitors, datasets, runs] = await Promise.all([
    api.get<{ counts: IncidentCount[] }>("/api/v1/incidents/counts", { status: "open,acknowledged" }),
    api.get<{ services: ServiceStats[] }>("/api/v1/services", { from }),
    api.get<{ monitors: Monitor[] }>("/api/v1/monitors"),
    api.get<{ datasets: Dataset[] }>("/api/v1/datasets", { limit: 200 }),
    api.get<{ runs: RetrainingRun[] }>("/api/v1/retraining", { limit: 5 }),
  ]);
  const latest = await Promise.all(
    monitors.monitors.map((m) =>
      api
        .get<{ reports: Report[] }>("/api/v1/reports", { monitorId: m.id, limit: 1 })
        .then((r) => [m.id, r.reports[0]] as const),
    ),
  );
  const model = overviewModel({
    active: active.counts,
    services: services.services,
    monitors: monitors.monitors,
    latestReports: new Map(latest),
    datasets: datasets.datasets,
    runs: runs.runs,
  });
  return render(c, "Overview", <Overview model={model} now={now} />);
}

function Overview({ model, now }: { model: OverviewModel; now: number }) {
  return (
    <>
      <h1>Overview</h1>
      {model.empty ? (
        <EmptyState title="No data yet" command={demoCommand()}>
          <p>
            Send traces, predictions, schemas or alerts to this project (each page says how), or fill it with
            a realistic story to look around:
          </p>
        </EmptyState>
      ) : null}
      <section aria-labelledby="ov-incidents">
        <h2 id="ov-incidents">
          Active incidents <span class="muted">({model.activeTotal})</span>
        </h2>
        <ul class="cards">
          {SEVERITIES.map((s, i) => (
            <li class="card">
              <a href={`/incidents?severity=${s}`}>
                <span class="value" data-testid={`sev-${s}`}>
                  {model.severityTotals[i]}
                </span>
                {s}
              </a>
            </li>
          ))}
        </ul>
        <div class="table">
          <table>
            <caption class="sr-only">Active incidents by kind and severity</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                {SEVERITIES.map((s) => (
                  <th scope="col" class="num">
                    {s}
                  </th>
                ))}
                <th scope="col" class="num">
                  total
                </th>
              </tr>
            </thead>
            <tbody>
              {model.matrix.map((row) => (
                <tr>
                  <th scope="row">
                    <a href={`/incidents?kind=${row.kind}`}>{row.kind}</a>
                  </th>
                  {row.counts.map((n) => (
                    <td class="num">{n}</td>
                  ))}
                  <td class="num" data-testid={`kind-${row.kind}`}>
                    {row.total}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="ov-services">
        <h2 id="ov-services">Services, last {OVERVIEW_HOURS} hours</h2>
        {model.services.length ? (
          <div class="table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col" class="num">
                    Requests
                  </th>
                  <th scope="col" class="num">
                    Error rate
                  </th>
                  <th scope="col" class="num">
                    p95
                  </th>
                </tr>
              </thead>
              <tbody>
                {model.services.map((s) => (
                  <tr>
                    <td>
                      <a href={`/traces?service=${encodeURIComponent(s.service)}`}>{s.service}</a>
                    </td>
                    <td class="num" data-testid={`requests-${s.service}`}>
                      {s.requests}
                    </td>
                    <td class="num">{formatPercent(s.errorRate)}</td>
                    <td class="num">{formatMs(s.p95Ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">
            No spans in the last {OVERVIEW_HOURS} hours. <a href="/traces">How to send traces</a>
          </p>
        )}
      </section>
      <div class="grid2">
        <section aria-labelledby="ov-monitors">
          <h2 id="ov-monitors">Monitors</h2>
          {model.monitors.length ? (
            <ul>
              {model.monitors.map((m) => (
                <li>
                  <a href={`/monitors/${m.monitor.id}`}>{m.monitor.name}</a>{" "}
                  <Badge kind={m.verdict === "none" ? "neutral" : m.verdict}>
                    {m.verdict === "none" ? "no report yet" : m.verdict.replace("_", " ")}
                  </Badge>
                  {m.driftedFeatures.length ? (
                    <span class="muted"> {m.driftedFeatures.join(", ")}</span>
                  ) : null}
                  {m.report ? <span class="muted"> · {ago(m.report.createdAt, now)}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">
              No monitors. <a href="/monitors">How to add one</a>
            </p>
          )}
        </section>
        <section aria-labelledby="ov-schemas">
          <h2 id="ov-schemas">Recent schema changes</h2>
          {model.recentSchemaChanges.length ? (
            <ul>
              {model.recentSchemaChanges.map((d) => (
                <li>
                  <a
                    href={`/datasets/${encodeURIComponent(d.name)}?namespace=${encodeURIComponent(d.namespace)}`}
                  >
                    {d.namespace}/{d.name}
                  </a>{" "}
                  v{d.version}
                  {d.lastBreakingChangeAt ? (
                    <>
                      {" "}
                      <Badge kind="breaking">breaking {ago(d.lastBreakingChangeAt, now)}</Badge>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">
              No schema changes. <a href="/datasets">How to send schemas</a>
            </p>
          )}
        </section>
        <section aria-labelledby="ov-retraining">
          <h2 id="ov-retraining">Retraining runs</h2>
          {model.runs.length ? (
            <ul>
              {model.runs.map((r) => (
                <li>
                  {r.model} <Badge kind={r.status}>{r.status.replace("_", " ")}</Badge>{" "}
                  <span class="muted">{ago(r.createdAt, now)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">
              No runs. <a href="/retraining">How to set up retraining</a>
            </p>
          )}
        </section>
      </div>
    </>
  );
}
