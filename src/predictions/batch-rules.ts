/**
 * Batch rules of a contract (pure): rows within [minRows, maxRows], and the newest data no older
 * than freshnessSeconds. For a model the rows are those of a window (windowSeconds) and the newest
 * is the newest prediction; for a dataset, the rows of its last write and the time of that write.
 */
import type { BatchRules } from "./model.ts";

export interface BatchCheck {
  rule: "minRows" | "maxRows" | "freshness";
  ok: boolean;
  message: string;
}

/** How the messages name the rows and the newest data. */
export interface BatchWording {
  /** After "N rows": e.g. "in the last 3600s". */
  rows: string;
  /** e.g. "newest prediction". */
  newest: string;
  /** When there is no data at all. */
  none: string;
}

export function checkBatchRules(
  rules: Partial<BatchRules>,
  window: { rows: number; newest: string | null },
  now: Date,
  wording: BatchWording = {
    rows: `in the last ${rules.windowSeconds ?? 3600}s`,
    newest: "newest prediction",
    none: "no predictions at all",
  },
): BatchCheck[] {
  const out: BatchCheck[] = [];
  const per = wording.rows;
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
          ? wording.none
          : `${wording.newest} ${Math.round(age)}s old (max ${rules.freshnessSeconds}s)`,
    });
  }
  return out;
}
