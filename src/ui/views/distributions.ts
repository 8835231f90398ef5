/**
 * A report's per-feature distributions as the report page draws them: bins with each window's
 * count and share (shares, so a week of reference and an hour of current compare by shape), the
 * text a screen reader gets instead of the chart, and the bars' geometry.
 */
import type { Distribution } from "../../drift/stats/index.ts";
import { formatNumber, formatPercent } from "./format.ts";
import type { Report } from "./types.ts";

export interface DistributionBin {
  label: string;
  reference: number;
  current: number;
  /** Share of the window's non-missing values; null when the window has none. */
  referenceShare: number | null;
  currentShare: number | null;
}

export interface DistributionView {
  kind: Distribution["kind"];
  bins: DistributionBin[];
  totals: { reference: number; current: number };
  missing: { reference: number; current: number };
  /** A histogram's first and last edge, as labelled under its chart. */
  range: { from: string; to: string } | null;
  /** What the chart shows, in a sentence: its text alternative. */
  summary: string;
}

/**
 * Edge labels precise enough to tell neighbouring edges apart: one decimal more than the bin
 * width's first significant digit needs (3 significant digits would print 1000.01 and 1000.02 alike).
 */
function edgeFormat(edges: readonly number[]): (n: number) => string {
  const width = edges.length > 1 ? edges[1]! - edges[0]! : 0;
  const big = edges.some((e) => Math.abs(e) >= 1e9);
  if (!(width > 0) || big || width < 1e-6) return formatNumber;
  const decimals = Math.min(7, Math.max(0, Math.ceil(-Math.log10(width)) + 1));
  return (n) => String(Number(n.toFixed(decimals)));
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** The whole numbers between two edges halfway between them: "4" or "4 – 5". */
function integerBin(lo: number, hi: number): string {
  const first = Math.ceil(lo);
  const last = Math.floor(hi);
  return first === last ? String(first) : `${first} – ${last}`;
}

function binsOf(d: Distribution): { label: string; reference: number; current: number }[] {
  if (d.kind === "histogram" && d.integers) {
    // Bins of whole numbers: name the first and last number each holds.
    return d.reference.map((reference, i) => ({
      label: integerBin(d.edges[i]!, d.edges[i + 1]!),
      reference,
      current: d.current[i]!,
    }));
  }
  if (d.kind === "histogram") {
    const f = edgeFormat(d.edges);
    // Bins are half-open, [lo, hi), the last closed: "lo – hi" reads well and the API says which.
    return d.reference.map((reference, i) => ({
      label: `${f(d.edges[i]!)} – ${f(d.edges[i + 1]!)}`,
      reference,
      current: d.current[i]!,
    }));
  }
  const bins = d.labels.map((label, i) => ({ label, reference: d.reference[i]!, current: d.current[i]! }));
  if (d.other.categories > 0)
    bins.push({
      label: `other (${d.other.categories} ${d.other.categories === 1 ? "category" : "categories"})`,
      reference: d.other.reference,
      current: d.other.current,
    });
  return bins;
}

export function distributionView(name: string, d: Distribution): DistributionView {
  const raw = binsOf(d);
  const totals = { reference: sum(raw.map((b) => b.reference)), current: sum(raw.map((b) => b.current)) };
  const share = (n: number, total: number) => (total > 0 ? n / total : null);
  const bins = raw.map((b) => ({
    ...b,
    referenceShare: share(b.reference, totals.reference),
    currentShare: share(b.current, totals.current),
  }));
  let range: DistributionView["range"] = null;
  if (d.kind === "histogram" && d.edges.length > 1) {
    const [lo, hi] = [d.edges[0]!, d.edges.at(-1)!];
    const f = edgeFormat(d.edges);
    range = d.integers
      ? { from: String(Math.ceil(lo)), to: String(Math.floor(hi)) }
      : { from: f(lo), to: f(hi) };
  }
  return {
    kind: d.kind,
    bins,
    totals,
    missing: d.missing,
    range,
    summary: summaryOf(name, d.kind, bins, totals, d.missing),
  };
}

function summaryOf(
  name: string,
  kind: Distribution["kind"],
  bins: DistributionBin[],
  totals: DistributionView["totals"],
  missing: DistributionView["missing"],
): string {
  const what = kind === "histogram" ? `${bins.length} bins` : `${bins.length} categories`;
  const parts = [`${name}: ${totals.reference} reference and ${totals.current} current values in ${what}`];
  let widest: DistributionBin | undefined;
  let gap = 0;
  for (const b of bins) {
    const g = Math.abs((b.currentShare ?? 0) - (b.referenceShare ?? 0));
    if (g > gap) [widest, gap] = [b, g];
  }
  if (widest && totals.reference > 0 && totals.current > 0)
    parts.push(
      `the largest difference is ${widest.label}: ${formatPercent(widest.referenceShare)} of the reference, ` +
        `${formatPercent(widest.currentShare)} of the current`,
    );
  if (missing.reference || missing.current)
    parts.push(`missing: ${missing.reference} reference, ${missing.current} current`);
  return `${parts.join("; ")}.`;
}

export interface BarGeometry {
  /** Left edge of the bin's slot, and each bar's x, width and height in chart units. */
  x: number;
  reference: { x: number; width: number; height: number };
  current: { x: number; width: number; height: number };
}

/**
 * Side-by-side bars per bin in a `width` × `height` box, heights scaled so the tallest share of
 * either window fills it (a share of 0 draws nothing; any share above 0 at least a sliver).
 */
export function barGeometry(view: DistributionView, width: number, height: number): BarGeometry[] {
  const n = view.bins.length;
  if (n === 0) return [];
  const max = Math.max(...view.bins.flatMap((b) => [b.referenceShare ?? 0, b.currentShare ?? 0]));
  const slot = width / n;
  const gap = Math.min(2, slot * 0.15);
  const bar = (slot - gap) / 2;
  const h = (s: number | null) => (!s || max === 0 ? 0 : Math.max(0.5, (s / max) * height));
  return view.bins.map((b, i) => {
    const x = i * slot;
    return {
      x,
      reference: { x: x + gap / 2, width: bar, height: h(b.referenceShare) },
      current: { x: x + gap / 2 + bar, width: bar, height: h(b.currentShare) },
    };
  });
}

/** Whether the report was stored with distributions (reports made before they were have none). */
export const hasDistributions = (report: Report): boolean =>
  report.features.some((f) => f.distribution) || Boolean(report.prediction?.distribution);
