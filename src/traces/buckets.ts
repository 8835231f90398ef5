/** The most buckets one RED query answers: a day in 6-minute steps. */
export const MAX_BUCKETS = 240;

/**
 * `count` adjacent windows covering [from, to), oldest first, on whole milliseconds (what an ISO
 * timestamp in the response can say exactly): edge i is from + floor(i × span / count), so the
 * last edge is `to` and the windows neither overlap nor leave gaps.
 */
export function bucketEdges(from: Date, to: Date, count: number): Date[] {
  const start = from.getTime();
  const span = to.getTime() - start;
  return Array.from({ length: count + 1 }, (_v, i) => new Date(start + Math.floor((i * span) / count)));
}
