/**
 * Batch rules of a contract (pure): rows per window within [minRows, maxRows], and the newest
 * prediction no older than freshnessSeconds.
 */
import type { BatchRules } from "./model.ts";

export interface BatchCheck {
  rule: "minRows" | "maxRows" | "freshness";
  ok: boolean;
  message: string;
}

export function checkBatchRules(
  rules: BatchRules,
  window: { rows: number; newest: string | null },
  now: Date,
): BatchCheck[] {
  const out: BatchCheck[] = [];
  const per = `in the last ${rules.windowSeconds}s`;
  if (rules.minRows !== undefined) {
    const ok = window.rows >= rules.minRows;
    out.push({ rule: "minRows", ok, message: `${window.rows} rows ${per} (min ${rules.minRows})` });
  }
  if (rules.maxRows !== undefined) {
    const ok = window.rows <= rules.maxRows;
    out.push({ rule: "maxRows", ok, message: `${window.rows} rows ${per} (max ${rules.maxRows})` });
  }
  if (rules.freshnessSeconds !== undefined) {
    const age =
      window.newest === null ? Number.POSITIVE_INFINITY : (now.getTime() - Date.parse(window.newest)) / 1000;
    out.push({
      rule: "freshness",
      ok: age <= rules.freshnessSeconds,
      message:
        window.newest === null
          ? "no predictions at all"
          : `newest prediction ${Math.round(age)}s old (max ${rules.freshnessSeconds}s)`,
    });
  }
  return out;
}
