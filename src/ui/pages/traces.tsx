import { Badge, Chart, EmptyState, Pager } from "../layout.tsx";
import { formatMs, formatPercent, utc } from "../views/format.ts";
import { pageUrl } from "../views/query.ts";
import {
  redCharts,
  TRACE_STATUSES,
  traceListQuery,
  type WaterfallSpan,
  WINDOW_HOURS,
  waterfall,
} from "../views/traces.ts";
import type { ServiceRed, TraceSummary } from "../views/types.ts";
import { originOf, render, type UiContext } from "./common.tsx";
import { tracesCommand } from "./empty-commands.ts";
import { notFoundPage } from "./incidents.tsx";

/** Points per RED chart. */
export const RED_BUCKETS = 12;

export async function traceListPage(c: UiContext) {
  const api = c.get("api");
  const q = traceListQuery(c.req.query(), Date.now());
  const { hours: _h, to: _t, ...apiFilters } = q.filters;
  const [page, totals] = await Promise.all([
    api.get<{ traces: TraceSummary[]; nextCursor: string | null }>("/api/v1/traces", {
      ...apiFilters,
      from: q.from,
      to: q.to,
      cursor: q.cursor,
      limit: 50,
    }),
    // The window's per-service figures and the charts' buckets, in one query.
    api.get<ServiceRed>("/api/v1/services/red", { from: q.from, to: q.to, buckets: RED_BUCKETS }),
  ]);
  const red = redCharts(totals.buckets, q.filters.service);
  const pinned = { ...q.filters, to: q.to };
  const next = page.nextCursor ? pageUrl("/traces", pinned, { cursor: page.nextCursor }) : null;
  const services = totals.services.filter((s) => !q.filters.service || s.service === q.filters.service);
  const nothing = totals.services.length === 0 && page.traces.length === 0;
  return render(
    c,
    "Traces",
    <>
      <h1>Traces</h1>
      <form class="filters" method="get" action="/traces" aria-label="Search traces">
        <label>
          Service
          <select name="service">
            <option value="">any</option>
            {totals.services.map((s) => (
              <option value={s.service} selected={s.service === q.filters.service}>
                {s.service}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status">
            <option value="">any</option>
            {TRACE_STATUSES.map((s) => (
              <option value={s} selected={s === q.filters.status}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Slower than (ms)
          <input name="minDurationMs" inputmode="decimal" value={q.filters.minDurationMs ?? ""} size={8} />
        </label>
        <label>
          Window
          <select name="hours">
            {WINDOW_HOURS.map((h) => (
              <option value={h} selected={String(q.hours) === h}>
                last {h} h
              </option>
            ))}
          </select>
        </label>
        {q.filters.to ? <input type="hidden" name="to" value={q.filters.to} /> : null}
        <button type="submit">Search</button>
      </form>
      <p class="muted">
        {utc(q.from)} – {utc(q.to)}
      </p>
      {nothing ? (
        <EmptyState title="No traces in this window" command={tracesCommand(originOf(c))}>
          <p>Point any OpenTelemetry SDK at Vigil (OTLP over HTTP, protobuf or JSON):</p>
        </EmptyState>
      ) : (
        <>
          <section aria-labelledby="red">
            <h2 id="red">Rate, errors, duration</h2>
            <div class="table">
              <table data-testid="service-table">
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col" class="num">
                      Requests
                    </th>
                    <th scope="col" class="num">
                      Errors
                    </th>
                    <th scope="col" class="num">
                      Error rate
                    </th>
                    <th scope="col" class="num">
                      p50
                    </th>
                    <th scope="col" class="num">
                      p95
                    </th>
                    <th scope="col" class="num hide-narrow">
                      p99
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {services.map((s) => (
                    <tr>
                      <td>
                        <a href={pageUrl("/traces", { ...q.filters, service: s.service })}>{s.service}</a>
                      </td>
                      <td class="num">{s.requests}</td>
                      <td class="num">{s.errors}</td>
                      <td class="num">{formatPercent(s.errorRate)}</td>
                      <td class="num">{formatMs(s.p50Ms)}</td>
                      <td class="num">{formatMs(s.p95Ms)}</td>
                      <td class="num hide-narrow">{formatMs(s.p99Ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="grid2">
              <Chart
                id="chart-rate"
                label="Requests per minute"
                spec={{ kind: "lines", x: red.x, series: red.rate, yMin: 0, yLabel: "req/min" }}
              />
              <Chart
                id="chart-errors"
                label="Error rate (%)"
                spec={{ kind: "lines", x: red.x, series: red.errorRate, yMin: 0, yLabel: "%" }}
              />
              <Chart
                id="chart-p95"
                label="p95 duration (ms)"
                spec={{ kind: "lines", x: red.x, series: red.p95, yMin: 0, yLabel: "ms" }}
              />
            </div>
          </section>
          <section aria-labelledby="found">
            <h2 id="found">Traces</h2>
            {page.traces.length ? (
              <div class="table">
                <table data-testid="trace-list">
                  <thead>
                    <tr>
                      <th scope="col">Root</th>
                      <th scope="col" class="hide-narrow">
                        Started
                      </th>
                      <th scope="col" class="num">
                        Duration
                      </th>
                      <th scope="col" class="num">
                        Spans
                      </th>
                      <th scope="col" class="num">
                        Errors
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.traces.map((t) => (
                      <tr>
                        <td>
                          <a href={`/traces/${t.traceId}`}>
                            {t.rootService} · {t.rootName}
                          </a>
                        </td>
                        <td class="hide-narrow">{utc(t.startTime)}</td>
                        <td class="num">{formatMs(t.durationMs)}</td>
                        <td class="num">{t.spanCount}</td>
                        <td class="num">{t.errorCount ? <Badge kind="error">{t.errorCount}</Badge> : 0}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p class="notice">No trace matches these filters.</p>
            )}
            <Pager
              label="Trace pages"
              next={next}
              first={q.cursor ? pageUrl("/traces", pinned) : undefined}
            />
          </section>
        </>
      )}
    </>,
    { charts: !nothing },
  );
}

export async function tracePage(c: UiContext) {
  const id = (c.req.param("id") ?? "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) return notFoundPage(c, "trace");
  const trace = await c.get("api").find<{ traceId: string; spans: WaterfallSpan[] }>(`/api/v1/traces/${id}`);
  if (!trace) return notFoundPage(c, "trace");
  const wf = waterfall(trace.spans);
  return render(
    c,
    `Trace ${id.slice(0, 8)}`,
    <>
      <p>
        <a href="/traces">← Traces</a>
      </p>
      <h1>
        Trace <code>{id}</code>
      </h1>
      <p class="muted">
        {utc(wf.start)} · {formatMs(wf.durationMs)} · {wf.rows.length} spans
      </p>
      <div class="table">
        <table class="waterfall" data-testid="waterfall">
          <thead>
            <tr>
              <th scope="col">Span</th>
              <th scope="col" class="num">
                Duration
              </th>
              <th scope="col" class="bar">
                Timeline
              </th>
            </tr>
          </thead>
          <tbody>
            {wf.rows.map((r) => (
              <tr>
                <td style={`padding-left:${0.5 + Math.min(r.span.depth, 12) * 0.9}rem`}>
                  <details class="span">
                    <summary>
                      {r.span.service} · {r.span.name} {r.error ? <Badge kind="error">error</Badge> : null}
                    </summary>
                    <SpanDetail row={r} />
                  </details>
                </td>
                <td class="num">{formatMs(r.span.durationMs)}</td>
                <td class="bar">
                  <div class="wf-track" aria-hidden="true">
                    <div
                      class={r.error ? "wf-bar error" : "wf-bar"}
                      style={`left:${r.offsetPct.toFixed(2)}%;width:${r.widthPct.toFixed(2)}%`}
                    />
                  </div>
                  <span class="sr-only">starts at {formatMs(r.offsetMs)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>,
  );
}

function SpanDetail({ row }: { row: ReturnType<typeof waterfall>["rows"][number] }) {
  const s = row.span;
  return (
    <div>
      <dl class="facts">
        <dt>Span id</dt>
        <dd>
          <code>{s.spanId}</code>
        </dd>
        <dt>Kind</dt>
        <dd>{s.kind}</dd>
        <dt>Status</dt>
        <dd>
          {s.status.code}
          {s.status.message ? ` — ${s.status.message}` : ""}
        </dd>
        <dt>Starts</dt>
        <dd>+{formatMs(row.offsetMs)}</dd>
      </dl>
      <h3>Attributes</h3>
      <KeyValues values={s.attributes} />
      {Object.keys(s.resource).length ? (
        <>
          <h3>Resource</h3>
          <KeyValues values={s.resource} />
        </>
      ) : null}
      {row.events.length ? (
        <>
          <h3>Events</h3>
          <ul>
            {row.events.map((e) => (
              <li>
                <strong>{e.name}</strong> <span class="muted">+{formatMs(e.offsetMs)}</span>
                <KeyValues
                  values={Object.fromEntries(
                    Object.entries(e.attributes).filter(([k]) => k !== "exception.stacktrace"),
                  )}
                />
                {e.stacktrace ? <pre data-testid="span-stack">{e.stacktrace}</pre> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function KeyValues({ values }: { values: Record<string, unknown> }) {
  const entries = Object.entries(values);
  if (!entries.length) return <p class="muted">none</p>;
  return (
    <dl class="facts">
      {entries.map(([k, v]) => (
        <>
          <dt>
            <code>{k}</code>
          </dt>
          <dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd>
        </>
      ))}
    </dl>
  );
}
