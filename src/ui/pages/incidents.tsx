import { Badge, EmptyState, Pager, Snippet } from "../layout.tsx";
import { ago, utc } from "../views/format.ts";
import {
  actionsFor,
  type Evidence,
  evidenceOf,
  incidentListQuery,
  relatedOf,
  STATUSES,
  timelineOf,
} from "../views/incidents.ts";
import { KINDS, SEVERITIES } from "../views/overview.ts";
import { pageUrl } from "../views/query.ts";
import type { Incident, IncidentEvent } from "../views/types.ts";
import { Flash, originOf, render, type UiContext } from "./common.tsx";
import { alertCommand } from "./empty-commands.ts";

const PAGE_SIZE = 50;

export async function incidentListPage(c: UiContext) {
  const { filters, cursor } = incidentListQuery(c.req.query());
  const page = await c
    .get("api")
    .get<{ incidents: Incident[]; nextCursor: string | null }>("/api/v1/incidents", {
      ...filters,
      cursor,
      limit: PAGE_SIZE,
    });
  const now = Date.now();
  const next = page.nextCursor ? pageUrl("/incidents", filters, { cursor: page.nextCursor }) : null;
  const filtered = Object.keys(filters).length > 0;
  return render(
    c,
    "Incidents",
    <>
      <h1>Incidents</h1>
      <form class="filters" method="get" action="/incidents" aria-label="Filter incidents">
        <Select name="kind" label="Kind" options={KINDS} value={filters.kind} />
        <Select name="status" label="Status" options={STATUSES} value={filters.status} />
        <Select name="severity" label="Severity" options={SEVERITIES} value={filters.severity} />
        <label>
          Source
          <input name="source" value={filters.source ?? ""} size={14} />
        </label>
        <button type="submit">Filter</button>
        {filtered ? <a href="/incidents">Clear</a> : null}
      </form>
      {page.incidents.length ? (
        <div class="table">
          <table data-testid="incident-list">
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Kind</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Count
                </th>
                <th scope="col" class="hide-narrow">
                  Last seen
                </th>
              </tr>
            </thead>
            <tbody>
              {page.incidents.map((i) => (
                <tr>
                  <td>
                    <a href={`/incidents/${i.id}`}>{i.title}</a>
                    {i.source ? <div class="muted">{i.source}</div> : null}
                  </td>
                  <td>{i.kind}</td>
                  <td>
                    <Badge kind={i.severity}>{i.severity}</Badge>
                  </td>
                  <td>
                    <Badge kind={i.status}>{i.status}</Badge>
                  </td>
                  <td class="num">{i.count}</td>
                  <td class="hide-narrow" title={utc(i.lastSeen)}>
                    {ago(i.lastSeen, now)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : filtered || cursor ? (
        <p class="notice">No incident matches these filters.</p>
      ) : (
        <EmptyState title="No incidents yet" command={alertCommand(originOf(c))}>
          <p>
            Incidents open from exceptions in traces, drifted monitors, breaking schema changes, failed
            contracts and alerts. Send a first alert to see one:
          </p>
        </EmptyState>
      )}
      <Pager label="Incident pages" next={next} first={cursor ? pageUrl("/incidents", filters) : undefined} />
    </>,
  );
}

function Select(props: { name: string; label: string; options: readonly string[]; value?: string }) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

interface Detail {
  incident: Incident;
  events: IncidentEvent[];
  context: Record<string, unknown>;
}

const DONE: Record<string, string> = {
  acknowledge: "Acknowledged.",
  resolve: "Resolved.",
  reopen: "Reopened.",
  note: "Note added.",
};

export async function incidentPage(c: UiContext) {
  const id = c.req.param("id") ?? "";
  const detail = await c.get("api").find<Detail>(`/api/v1/incidents/${encodeURIComponent(id)}`);
  if (!detail) return notFoundPage(c, "incident");
  const { incident, context } = detail;
  const evidence = evidenceOf(incident, context ?? {});
  const related = relatedOf(incident.id, context ?? {});
  const now = Date.now();
  return render(
    c,
    incident.title,
    <>
      <p>
        <a href="/incidents">← Incidents</a>
      </p>
      <h1>{incident.title}</h1>
      <Flash message={DONE[c.req.query("done") ?? ""]} />
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge kind={incident.status}>{incident.status}</Badge>
        </dd>
        <dt>Severity</dt>
        <dd>
          <Badge kind={incident.severity}>{incident.severity}</Badge>
        </dd>
        <dt>Kind</dt>
        <dd>{incident.kind}</dd>
        <dt>Source</dt>
        <dd>{incident.source ?? "—"}</dd>
        <dt>Occurrences</dt>
        <dd data-testid="incident-count">{incident.count}</dd>
        <dt>First seen</dt>
        <dd>{utc(incident.firstSeen)}</dd>
        <dt>Last seen</dt>
        <dd>
          {utc(incident.lastSeen)} <span class="muted">({ago(incident.lastSeen, now)})</span>
        </dd>
      </dl>
      <section aria-labelledby="act" class="actions">
        <h2 id="act" class="sr-only">
          Actions
        </h2>
        {actionsFor(incident.status).map((a) => (
          <form method="post" action={`/incidents/${incident.id}/${a}`}>
            <button type="submit" class={a === "resolve" ? "primary" : undefined}>
              {a[0]!.toUpperCase() + a.slice(1)}
            </button>
          </form>
        ))}
      </section>
      <div class="grid2">
        <section aria-labelledby="ev">
          <h2 id="ev">Evidence</h2>
          <EvidenceView evidence={evidence} incident={incident} />
        </section>
        <section aria-labelledby="tl">
          <h2 id="tl">Timeline</h2>
          <ol class="timeline" data-testid="timeline">
            {timelineOf(detail.events).map((e) => (
              <li>
                <strong>{e.label}</strong> <span class="muted">{utc(e.at)}</span>
                {e.actor ? <span class="muted"> · {e.actor}</span> : null}
                {e.message ? <div>{e.message}</div> : null}
              </li>
            ))}
          </ol>
          <form method="post" action={`/incidents/${incident.id}/note`}>
            <label>
              Add a note
              <textarea name="text" required maxlength={20000} />
            </label>
            <button type="submit">Add note</button>
          </form>
        </section>
      </div>
      <div class="grid2">
        <section aria-labelledby="sim">
          <h2 id="sim">Similar past incidents</h2>
          {related.similar.length ? (
            <ul>
              {related.similar.map((h) => (
                <li>
                  <a href={`/incidents/${encodeURIComponent(h.incidentId)}`}>{h.title}</a>
                  <Snippet text={h.snippet} />
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">None found.</p>
          )}
        </section>
        <section aria-labelledby="rb">
          <h2 id="rb">Suggested runbooks</h2>
          {related.runbooks.length ? (
            <ul>
              {related.runbooks.map((h) => (
                <li>
                  <a href={`/ask?q=${encodeURIComponent(h.title)}`}>{h.title}</a>
                  {h.heading ? <span class="muted"> — {h.heading}</span> : null} <code>{h.path}</code>
                  <Snippet text={h.snippet} />
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">
              No runbook matches. <a href="/ask">Index runbooks</a>
            </p>
          )}
        </section>
      </div>
    </>,
  );
}

function EvidenceView({ evidence, incident }: { evidence: Evidence; incident: Incident }) {
  return (
    <>
      {evidence.traceId ? (
        <p>
          Trace <a href={`/traces/${evidence.traceId}`}>{evidence.traceId}</a>
        </p>
      ) : null}
      {evidence.stacktrace ? (
        <>
          <h3>Stack trace</h3>
          <pre data-testid="stacktrace">{evidence.stacktrace}</pre>
        </>
      ) : null}
      {evidence.spans.length ? (
        <>
          <h3>Spans of the sample trace</h3>
          <ul>
            {evidence.spans.slice(0, 20).map((s) => (
              <li style={`margin-left:${Math.min(s.depth, 8)}rem`}>
                {s.service} · {s.name} <span class="muted">{s.durationMs.toFixed(1)} ms</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {evidence.reportId ? (
        <p>
          Drift report <a href={`/reports/${evidence.reportId}`}>{evidence.reportId}</a>
          {evidence.monitorId ? (
            <>
              {" "}
              of <a href={`/monitors/${evidence.monitorId}`}>its monitor</a>
            </>
          ) : null}
        </p>
      ) : null}
      {evidence.dataset ? (
        <p>
          Dataset{" "}
          <a
            href={`/datasets/${encodeURIComponent(evidence.dataset.name)}?namespace=${encodeURIComponent(evidence.dataset.namespace)}`}
          >
            {evidence.dataset.namespace}/{evidence.dataset.name}
          </a>
          {evidence.dataset.version
            ? ` v${evidence.dataset.previousVersion ?? "?"} → v${evidence.dataset.version}`
            : ""}
        </p>
      ) : null}
      {evidence.schemaChanges.length ? (
        <>
          <h3>Breaking changes</h3>
          <ChangesTable changes={evidence.schemaChanges} />
        </>
      ) : null}
      {evidence.impacted.length ? (
        <>
          <h3>Impacted downstream</h3>
          <ul>
            {evidence.impacted.map((n) => (
              <li>
                {n.kind}{" "}
                <strong>
                  {n.namespace ? `${n.namespace}/` : ""}
                  {n.name}
                </strong>
                {n.fields.length ? <span class="muted"> ({n.fields.join(", ")})</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {evidence.retraining.length ? (
        <>
          <h3>Retraining</h3>
          <ul>
            {evidence.retraining.map((r) => (
              <li>
                <Badge kind={r.status}>{r.status}</Badge>{" "}
                {r.htmlUrl ? <a href={r.htmlUrl}>run on GitHub</a> : null}
                {r.modelVersion ? ` → ${r.modelVersion}` : ""}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {evidence.links.length ? (
        <ul>
          {evidence.links.map((l) => (
            <li>
              <a href={l.href} rel="noopener noreferrer">
                {l.text}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {evidence.alert ? (
        <>
          <h3>Alert payload</h3>
          <pre>{JSON.stringify(evidence.alert, null, 2)}</pre>
        </>
      ) : null}
      {incident.kind === "validation" || incident.kind === "drift" ? (
        <details>
          <summary>Sample</summary>
          <pre>{JSON.stringify(incident.sample, null, 2)}</pre>
        </details>
      ) : null}
    </>
  );
}

export function ChangesTable(props: {
  changes: Array<{
    kind: string;
    path: string;
    from?: string;
    to?: string;
    reason?: string;
    breaking?: boolean;
  }>;
}) {
  return (
    <div class="table">
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Change</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
          </tr>
        </thead>
        <tbody>
          {props.changes.map((ch) => (
            <tr>
              <td>
                <code>{ch.path}</code>
              </td>
              <td>
                {ch.kind.replace(/_/g, " ")}
                {ch.breaking ? (
                  <>
                    {" "}
                    <Badge kind="breaking">breaking</Badge>
                  </>
                ) : null}
                {ch.reason ? <div class="muted">{ch.reason}</div> : null}
              </td>
              <td>{ch.from ?? ""}</td>
              <td>{ch.to ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function notFoundPage(c: UiContext, what: string) {
  return render(
    c,
    "Not found",
    <>
      <h1>Not found</h1>
      <p class="notice error" role="alert">
        No such {what} in this project.
      </p>
    </>,
    { status: 404 },
  );
}

/** POST /incidents/:id/:action — the forms above; back to the incident with what happened. */
export async function incidentActionHandler(c: UiContext) {
  const id = c.req.param("id") ?? "";
  const action = c.req.param("action") ?? "";
  const api = c.get("api");
  const base = `/api/v1/incidents/${encodeURIComponent(id)}`;
  if (action === "note") {
    const form = await c.req.parseBody();
    const text = typeof form.text === "string" ? form.text.trim() : "";
    if (!text) return c.redirect(`/incidents/${encodeURIComponent(id)}`, 303);
    await api.post(`${base}/notes`, { text });
  } else if (action === "acknowledge" || action === "resolve" || action === "reopen") {
    await api.post(`${base}/${action}`, {});
  } else {
    return notFoundPage(c, "action");
  }
  return c.redirect(`/incidents/${encodeURIComponent(id)}?done=${action}`, 303);
}
