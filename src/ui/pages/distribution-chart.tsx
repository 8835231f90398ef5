/**
 * A feature's reference and current distribution on the report page, drawn on the server (no
 * island): numerical features as an SVG histogram with its counts in a table under it,
 * categorical ones as a table of categories whose bar cells are the chart. Colours come from the
 * stylesheet's variables, so dark mode follows the system.
 */
import type { Distribution } from "../../drift/stats/index.ts";
import { barGeometry, type DistributionView, distributionView } from "../views/distributions.ts";
import { formatPercent } from "../views/format.ts";

const WIDTH = 320;
const PLOT = 100;
const TOP = 4;
const AXIS = 16;

function Legend() {
  return (
    <p class="dist-legend" aria-hidden="true">
      <span class="swatch ref" /> reference <span class="swatch cur" /> current
    </p>
  );
}

const cell = (n: number, share: number | null) => `${n} (${formatPercent(share)})`;

function Counts(props: { view: DistributionView; first: string }) {
  return (
    <table class="dist-table">
      <thead>
        <tr>
          <th scope="col">{props.first}</th>
          <th scope="col" class="num">
            Reference
          </th>
          <th scope="col" class="num">
            Current
          </th>
        </tr>
      </thead>
      <tbody>
        {props.view.bins.map((b) => (
          <tr>
            <th scope="row">{b.label}</th>
            <td class="num">{cell(b.reference, b.referenceShare)}</td>
            <td class="num">{cell(b.current, b.currentShare)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Missing(props: { view: DistributionView }) {
  const m = props.view.missing;
  if (!m.reference && !m.current) return null;
  return (
    <p class="muted">
      Missing values (not binned, not tested): reference {m.reference}, current {m.current}
    </p>
  );
}

function Histogram(props: { view: DistributionView }) {
  const { view } = props;
  const bars = barGeometry(view, WIDTH, PLOT);
  const base = TOP + PLOT;
  return (
    <>
      <svg
        class="dist-chart"
        viewBox={`0 0 ${WIDTH} ${base + AXIS}`}
        role="img"
        aria-label={view.summary}
        preserveAspectRatio="xMidYMid meet"
      >
        <line class="axis" x1="0" x2={WIDTH} y1={base} y2={base} />
        {bars.map((g, i) => {
          const b = view.bins[i]!;
          return (
            <g>
              <title>{`${b.label}: reference ${cell(b.reference, b.referenceShare)}, current ${cell(b.current, b.currentShare)}`}</title>
              <rect
                class="ref"
                x={g.reference.x}
                width={g.reference.width}
                y={base - g.reference.height}
                height={g.reference.height}
              />
              <rect
                class="cur"
                x={g.current.x}
                width={g.current.width}
                y={base - g.current.height}
                height={g.current.height}
              />
            </g>
          );
        })}
        {view.range ? (
          <>
            <text class="tick" x="0" y={base + AXIS - 3} text-anchor="start">
              {view.range.from}
            </text>
            <text class="tick" x={WIDTH} y={base + AXIS - 3} text-anchor="end">
              {view.range.to}
            </text>
          </>
        ) : null}
      </svg>
      <Legend />
      <details>
        <summary>Counts per bin</summary>
        <Counts view={view} first="Bin" />
      </details>
    </>
  );
}

/** Categories: the table is the chart, each row's bars drawn in its last cell. */
function Categories(props: { view: DistributionView }) {
  const { view } = props;
  const max = Math.max(0, ...view.bins.flatMap((b) => [b.referenceShare ?? 0, b.currentShare ?? 0]));
  const pct = (s: number | null) => (max > 0 && s ? `${((s / max) * 100).toFixed(1)}%` : "0");
  return (
    <table class="dist-table">
      <caption class="sr-only">{view.summary}</caption>
      <thead>
        <tr>
          <th scope="col">Category</th>
          <th scope="col" class="num">
            Reference
          </th>
          <th scope="col" class="num">
            Current
          </th>
          <th scope="col" class="dist-bars">
            <span class="sr-only">Shares</span>
            <Legend />
          </th>
        </tr>
      </thead>
      <tbody>
        {view.bins.map((b) => (
          <tr>
            <th scope="row">{b.label}</th>
            <td class="num">{cell(b.reference, b.referenceShare)}</td>
            <td class="num">{cell(b.current, b.currentShare)}</td>
            <td class="dist-bars" aria-hidden="true">
              <span class="hbar ref" style={`width:${pct(b.referenceShare)}`} />
              <span class="hbar cur" style={`width:${pct(b.currentShare)}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One feature's figure; `distribution` absent: a short note instead. */
export function DistributionFigure(props: { id: string; name: string; distribution?: Distribution }) {
  const { id, name, distribution } = props;
  const view = distribution ? distributionView(name, distribution) : undefined;
  return (
    <section class="dist" id={id} aria-labelledby={`${id}-h`} data-distribution={name}>
      <h3 id={`${id}-h`}>{name}</h3>
      {!view ? (
        <p class="muted">No distribution stored for this feature.</p>
      ) : view.bins.length === 0 ? (
        <p class="muted">No values in either window.</p>
      ) : (
        <>
          {view.kind === "histogram" ? <Histogram view={view} /> : <Categories view={view} />}
          <Missing view={view} />
        </>
      )}
    </section>
  );
}
