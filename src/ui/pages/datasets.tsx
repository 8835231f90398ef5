import { Badge, EmptyState, Pager } from "../layout.tsx";
import {
  datasetListQuery,
  datasetQuery,
  datasetUrl,
  diffVersions,
  fieldLineageRows,
  type ImpactNode,
  LINEAGE_DEPTHS,
  type LineageGraph,
  lineageColumns,
  lineageDepth,
  lineageLevels,
  versionRows,
} from "../views/datasets.ts";
import { ago, utc } from "../views/format.ts";
import { pageUrl } from "../views/query.ts";
import type { Dataset, DatasetVersion, SchemaChange } from "../views/types.ts";
import { originOf, render, type UiContext } from "./common.tsx";
import { schemaCommand } from "./empty-commands.ts";
import { ChangesTable, notFoundPage } from "./incidents.tsx";

const PAGE_SIZE = 100;

export async function datasetListPage(c: UiContext) {
  const { filters, cursor } = datasetListQuery(c.req.query());
  const { datasets, nextCursor } = await c
    .get("api")
    .get<{ datasets: Dataset[]; nextCursor: string | null }>("/api/v1/datasets", {
      ...filters,
      limit: PAGE_SIZE,
      cursor,
    });
  const namespace = filters.namespace;
  const now = Date.now();
  const next = nextCursor ? pageUrl("/datasets", filters, { cursor: nextCursor }) : null;
  return render(
    c,
    "Datasets",
    <>
      <h1>Datasets</h1>
      <form class="filters" method="get" action="/datasets" aria-label="Filter datasets">
        <label>
          Namespace
          <input name="namespace" value={namespace ?? ""} size={20} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {datasets.length === 0 && (cursor || namespace) ? (
        <p class="muted">{cursor ? "No more datasets." : `No datasets in namespace ${namespace}.`}</p>
      ) : datasets.length ? (
        <div class="table">
          <table data-testid="dataset-list">
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col" class="num">
                  Version
                </th>
                <th scope="col" class="num">
                  Fields
                </th>
                <th scope="col">Last breaking change</th>
                <th scope="col" class="hide-narrow">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr>
                  <td>
                    <a href={datasetUrl(d)}>
                      {d.namespace}/{d.name}
                    </a>
                  </td>
                  <td class="num">{d.version}</td>
                  <td class="num">{d.fields ?? "—"}</td>
                  <td>
                    {d.lastBreakingChangeAt ? (
                      <Badge kind="breaking">{ago(d.lastBreakingChangeAt, now)}</Badge>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td class="hide-narrow">{ago(d.updatedAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <EmptyState title="No datasets yet" command={schemaCommand(originOf(c))}>
          <p>
            Vigil keeps each dataset's schema versions and lineage, from OpenLineage events (
            <code>/api/v1/lineage</code>), dbt or Airflow, or a schema sent directly:
          </p>
        </EmptyState>
      )}
      <Pager label="Dataset pages" next={next} first={cursor ? pageUrl("/datasets", filters) : undefined} />
    </>,
  );
}

interface SchemaView {
  version: number;
  latestVersion: number;
  schema: { fields: Array<{ name: string; type: string; nullable?: boolean; description?: string }> };
  observedAt: string;
  source: string;
}

export async function datasetPage(c: UiContext) {
  const api = c.get("api");
  const name = c.req.param("name") ?? "";
  const q = datasetQuery(c.req.query());
  const base = `/api/v1/datasets/${encodeURIComponent(name)}`;
  const namespace = c.req.query("namespace");
  if (namespace === undefined) {
    // A link without the namespace (typed, or from another tool): the API resolves the name as every
    // dataset route does (`default`, else the one namespace that has it; a name in several is its
    // 409), and the page moves to its own URL, which always names the namespace.
    const found = await api.find<LineageGraph>(`${base}/lineage`, { depth: 1 });
    if (!found) return notFoundPage(c, "dataset");
    return c.redirect(datasetUrl(found.dataset, c.req.query()), 302);
  }
  const ref = { namespace, name };
  const depth = lineageDepth(c.req.query());
  // The lineage read 404s only for an unknown dataset; one seen in lineage alone has no schema yet
  // and still gets its page (the graph is what there is to show).
  const [latest, graph] = await Promise.all([
    api.find<SchemaView>(`${base}/schema`, { namespace }),
    api.find<LineageGraph>(`${base}/lineage`, { namespace, depth }),
  ]);
  if (!graph) return notFoundPage(c, "dataset");
  const latestVersion = latest?.latestVersion ?? 0;
  const schemaFields = latest?.schema.fields ?? [];
  const diff = diffVersions(c.req.query(), latestVersion);
  const [changes, impact, diffResult] = await Promise.all([
    api.get<{ versions: DatasetVersion[] }>(`${base}/changes`, { namespace, limit: 50 }),
    api.get<{ impacted: ImpactNode[]; unknownFields: string[]; truncated: boolean }>(`${base}/impact`, {
      namespace,
      fields: q.field,
    }),
    diff ? versionDiff(c, base, namespace, diff) : Promise.resolve(undefined),
  ]);
  const versions = versionRows(changes.versions);
  const levels = lineageLevels(impact.impacted);
  return render(
    c,
    `${namespace}/${name}`,
    <>
      <p>
        <a href="/datasets">← Datasets</a>
      </p>
      <h1>
        {namespace}/{name}
      </h1>
      <p class="muted">
        {latest
          ? `Version ${latest.latestVersion} · seen ${utc(latest.observedAt)} · from ${latest.source}`
          : "No schema yet: seen in lineage only"}
      </p>
      <LineageGraphView graph={graph} name={name} namespace={namespace} />
      <FieldLineageTable
        rows={fieldLineageRows(
          graph,
          schemaFields.map((f) => f.name),
        )}
        types={new Map(schemaFields.map((f) => [f.name, f]))}
        dataset={ref}
        selected={q.field}
      />
      <section aria-labelledby="lineage">
        <h2 id="lineage">Downstream impact{q.field ? ` of ${q.field}` : ""}</h2>
        {q.field ? (
          <p>
            Impact of a change to <code>{q.field}</code>. <a href={datasetUrl(ref)}>Whole dataset</a>
          </p>
        ) : null}
        {levels.length ? (
          <ol data-testid="lineage">
            {levels.map((l) => (
              <li>
                {l.depth === 1 ? "Reads it directly" : `${l.depth} hops away`}
                <ul>
                  {l.nodes.map((n) => (
                    <li>
                      <Badge kind="neutral">{n.kind}</Badge>{" "}
                      {n.kind === "dataset" ? (
                        <a href={datasetUrl(n)}>
                          {n.namespace}/{n.name}
                        </a>
                      ) : (
                        <strong>{n.name}</strong>
                      )}
                      {n.fields.length ? <span class="muted"> ({n.fields.join(", ")})</span> : null}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">Nothing downstream is known to read {q.field ? "this field" : "this dataset"}.</p>
        )}
        {impact.truncated ? <p class="muted">The graph was cut at its size limit.</p> : null}
      </section>
      <section aria-labelledby="versions">
        <h2 id="versions">Versions</h2>
        {versions.length ? (
          <div class="table">
            <table data-testid="version-list">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Changes</th>
                  <th scope="col" class="hide-narrow">
                    Source
                  </th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr>
                    <td>
                      <a
                        href={datasetUrl(ref, {
                          from: String(v.previousVersion ?? v.version - 1),
                          to: String(v.version),
                        })}
                      >
                        v{v.previousVersion ?? v.version - 1} → v{v.version}
                      </a>
                    </td>
                    <td>
                      {v.breaking ? <Badge kind="breaking">{v.breakingCount} breaking</Badge> : null}{" "}
                      {v.otherCount ? `${v.otherCount} compatible` : ""}
                    </td>
                    <td class="hide-narrow">{v.source}</td>
                    <td>{utc(v.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">{latestVersion === 0 ? "No schema versions yet." : "One version so far."}</p>
        )}
      </section>
      {latestVersion > 1 ? (
        <section aria-labelledby="diff">
          <h2 id="diff">Compare versions</h2>
          <form
            class="filters"
            method="get"
            action={`/datasets/${encodeURIComponent(name)}`}
            aria-label="Compare two versions"
          >
            <input type="hidden" name="namespace" value={namespace} />
            <label>
              From
              <input name="from" type="number" min={1} max={latestVersion} value={String(diff?.from ?? "")} />
            </label>
            <label>
              To
              <input name="to" type="number" min={1} max={latestVersion} value={String(diff?.to ?? "")} />
            </label>
            <button type="submit">Compare</button>
          </form>
          {diff && diffResult ? (
            <>
              <p data-testid="diff-summary">
                v{diff.from} → v{diff.to}:{" "}
                {diffResult.changes.length ? (
                  <>
                    {diffResult.changes.length} changes
                    {diffResult.breaking ? (
                      <>
                        {" "}
                        <Badge kind="breaking">breaking</Badge>
                      </>
                    ) : null}
                  </>
                ) : (
                  "no change"
                )}
              </p>
              {diffResult.changes.length ? <ChangesTable changes={diffResult.changes} /> : null}
            </>
          ) : (
            <p class="muted">Pick two different versions between 1 and {latestVersion}.</p>
          )}
        </section>
      ) : null}
    </>,
  );
}

/** Two stored versions diffed by the API's own differ. */
async function versionDiff(c: UiContext, base: string, namespace: string, v: { from: number; to: number }) {
  const api = c.get("api");
  const [a, b] = await Promise.all([
    api.get<SchemaView>(`${base}/schema`, { namespace, version: v.from }),
    api.get<SchemaView>(`${base}/schema`, { namespace, version: v.to }),
  ]);
  return api.post<{ breaking: boolean; changes: SchemaChange[] }>("/api/v1/schemas/diff", {
    before: a.schema,
    after: b.schema,
    format: "vigil",
  });
}

/**
 * The lineage around the dataset as columns: upstream on the left, the dataset, downstream on the
 * right. Plain lists in a row of columns (stacked on a phone), so the graph reads the same without
 * CSS or to a screen reader; each card names the neighbours that link it to the dataset.
 */
function LineageGraphView(props: { graph: LineageGraph; name: string; namespace: string }) {
  const g = props.graph;
  const columns = lineageColumns(g);
  return (
    <section aria-labelledby="lineage-graph">
      <h2 id="lineage-graph">Lineage</h2>
      <form
        class="filters"
        method="get"
        action={`/datasets/${encodeURIComponent(props.name)}`}
        aria-label="Lineage depth"
      >
        <input type="hidden" name="namespace" value={props.namespace} />
        <label>
          Hops each way
          <select name="depth">
            {LINEAGE_DEPTHS.map((d) => (
              <option value={d} selected={Number(d) === g.depth}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      {g.upstream.length || g.downstream.length ? null : (
        <p class="muted">
          No lineage is known for this dataset yet: OpenLineage events (<code>POST /api/v1/lineage</code>) and
          declared model inputs add it.
        </p>
      )}
      <ol class="lineage" data-testid="lineage-graph">
        {columns.map((col) => (
          <li class={`lineage-col lineage-side-${col.side}`}>
            <h3>{col.label}</h3>
            <ul>
              {col.nodes.map((n) => (
                <li class={`lineage-node${col.side === "self" ? " lineage-self" : ""}`}>
                  <Badge kind="neutral">{n.kind}</Badge>{" "}
                  {n.href && col.side !== "self" ? (
                    <a href={n.href} title={`${n.namespace}/${n.name}`}>
                      {n.name}
                    </a>
                  ) : (
                    <strong title={`${n.namespace}/${n.name}`}>{n.name}</strong>
                  )}
                  <span class="muted lineage-ns">{n.namespace}</span>
                  {n.links.length ? (
                    <span class="muted lineage-links">
                      {col.side === "upstream" ? "→ " : "← "}
                      {n.links.join(", ")}
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {g.truncated ? (
        <p class="muted">The graph was cut at its size limit: the nearest nodes are shown.</p>
      ) : null}
    </section>
  );
}

/** The dataset's fields with the upstream fields each is made from and what reads it downstream. */
function FieldLineageTable(props: {
  rows: ReturnType<typeof fieldLineageRows>;
  types: Map<string, { type: string; nullable?: boolean }>;
  dataset: { namespace: string; name: string };
  selected?: string | undefined;
}) {
  const links = (list: Array<{ label: string; href?: string; via?: string }>) =>
    list.length ? (
      <ul class="plain">
        {list.map((l) => (
          <li>
            {l.href ? (
              <a href={l.href}>
                <code>{l.label}</code>
              </a>
            ) : (
              <code>{l.label}</code>
            )}
            {l.via ? <span class="muted"> via {l.via}</span> : null}
          </li>
        ))}
      </ul>
    ) : (
      <span class="muted">—</span>
    );
  return (
    <section aria-labelledby="fields">
      <h2 id="fields">Fields</h2>
      {props.rows.length === 0 ? (
        <p class="muted">
          No fields known yet: a schema (a snapshot, or an OpenLineage schema facet) adds them.
        </p>
      ) : (
        <div class="table">
          <table data-testid="field-lineage">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col" class="hide-narrow">
                  Type
                </th>
                <th scope="col">Made from</th>
                <th scope="col">Read by</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => {
                const t = props.types.get(r.field);
                return (
                  <tr>
                    <th scope="row">
                      <a
                        href={datasetUrl(props.dataset, { field: r.field })}
                        aria-current={props.selected === r.field ? "true" : undefined}
                        title="Impact of a change to this field"
                      >
                        <code>{r.field}</code>
                      </a>
                      {r.unknown ? <span class="muted"> (not in the current schema)</span> : null}
                    </th>
                    <td class="hide-narrow">
                      {t ? (
                        <span class="muted">
                          {t.type}
                          {t.nullable === false ? " not null" : ""}
                        </span>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>{links(r.from)}</td>
                    <td>{links(r.to)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
