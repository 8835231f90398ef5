import { Badge, EmptyState, Pager } from "../layout.tsx";
import { ago, utc } from "../views/format.ts";
import { pageUrl } from "../views/query.ts";
import { RUN_STATUSES, retrainingQuery } from "../views/retraining.ts";
import type { RetrainingRun } from "../views/types.ts";
import { originOf, render, type UiContext } from "./common.tsx";
import { retrainingCommand } from "./empty-commands.ts";

export async function retrainingPage(c: UiContext) {
  const { filters, cursor } = retrainingQuery(c.req.query());
  const page = await c
    .get("api")
    .get<{ runs: RetrainingRun[]; nextCursor: string | null }>("/api/v1/retraining", {
      ...filters,
      cursor,
      limit: 50,
    });
  const now = Date.now();
  const filtered = Object.keys(filters).length > 0;
  return render(
    c,
    "Retraining",
    <>
      <h1>Retraining</h1>
      {page.runs.length || filtered || cursor ? (
        <>
          <form class="filters" method="get" action="/retraining" aria-label="Filter runs">
            <label>
              Model
              <input name="model" value={filters.model ?? ""} size={16} />
            </label>
            <label>
              Status
              <select name="status">
                <option value="">any</option>
                {RUN_STATUSES.map((s) => (
                  <option value={s} selected={filters.status === s}>
                    {s.replace("_", " ")}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Filter</button>
          </form>
          {page.runs.length ? (
            <div class="table">
              <table data-testid="run-list">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Status</th>
                    <th scope="col">Trigger</th>
                    <th scope="col">Workflow</th>
                    <th scope="col">Resulting version</th>
                    <th scope="col" class="hide-narrow">
                      Requested
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.runs.map((r) => (
                    <tr>
                      <td>
                        {r.model} <span class="muted">({r.monitorName})</span>
                      </td>
                      <td>
                        <Badge kind={r.status}>{r.status.replace("_", " ")}</Badge>
                        {r.skipReason ? <div class="muted">{r.skipReason.replace("_", " ")}</div> : null}
                        {r.conclusion ? <div class="muted">{r.conclusion}</div> : null}
                        {r.message ? <div class="muted">{r.message}</div> : null}
                      </td>
                      <td>
                        {r.trigger}
                        {r.reason ? <div class="muted">{r.reason}</div> : null}
                      </td>
                      <td>
                        {r.htmlUrl ? (
                          <a href={r.htmlUrl} rel="noopener noreferrer">
                            {r.repo} · {r.workflow}
                          </a>
                        ) : (
                          `${r.repo} · ${r.workflow}`
                        )}
                        <div class="muted">{r.ref}</div>
                      </td>
                      <td>
                        {r.result?.modelVersion ?? r.modelVersion ?? "—"}
                        {r.result?.artifactUrl ? (
                          <div>
                            <a href={r.result.artifactUrl} rel="noopener noreferrer">
                              artifact
                            </a>
                          </div>
                        ) : null}
                      </td>
                      <td class="hide-narrow" title={utc(r.createdAt)}>
                        {ago(r.createdAt, now)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="notice">No run matches these filters.</p>
          )}
          <Pager
            label="Run pages"
            next={page.nextCursor ? pageUrl("/retraining", filters, { cursor: page.nextCursor }) : null}
            first={cursor ? pageUrl("/retraining", filters) : undefined}
          />
        </>
      ) : (
        <EmptyState title="No retraining runs yet" command={retrainingCommand(originOf(c))}>
          <p>
            When a monitor with a retraining policy drifts, Vigil dispatches your GitHub Actions workflow and
            follows the run to the new model version. Create the GitHub App at{" "}
            <a href="/github/setup">/github/setup</a>, install it on the repository (
            <code>vigil github install</code>), then give a monitor a policy:
          </p>
        </EmptyState>
      )}
    </>,
  );
}
