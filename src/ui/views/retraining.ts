import { type Filters, isCursor, isName, pickFilters } from "./query.ts";

export const RUN_STATUSES = [
  "pending",
  "skipped",
  "failed",
  "requested",
  "queued",
  "in_progress",
  "completed",
] as const;

export function retrainingQuery(query: Record<string, string | undefined>): {
  filters: Filters;
  cursor?: string;
} {
  const filters = pickFilters(query, { model: isName, status: RUN_STATUSES });
  const cursor = query.cursor && isCursor(query.cursor) ? query.cursor : undefined;
  return { filters, cursor };
}
