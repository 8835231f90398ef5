/** A span in a trace listing, in tree order: parents before children, siblings by start time. */
export interface TreeSpan {
  spanId: string;
  parentSpanId: string | null;
  startNs: bigint;
}

/**
 * Orders a trace's spans as a depth-first walk of the span tree and gives each its depth and the
 * ids of its children. Spans whose parent is not in the trace (not received yet, or dropped) are
 * roots, so nothing is hidden. Pure.
 */
export function spanTree<T extends TreeSpan>(
  spans: T[],
): { roots: string[]; ordered: (T & { depth: number; children: string[] })[] } {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a: T, b: T) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0);
  const ordered: (T & { depth: number; children: string[] })[] = [];
  const seen = new Set<string>();
  // Iterative walk: deep traces must not overflow the stack; `seen` guards against id cycles.
  roots.sort(byStart);
  const stack = roots.map((span) => ({ span, depth: 0 })).reverse();
  while (stack.length) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    const kids = (children.get(span.spanId) ?? []).sort(byStart);
    ordered.push({ ...span, depth, children: kids.map((k) => k.spanId) });
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  // Spans caught in a parent cycle are unreachable from any root: list them as roots.
  for (const s of spans) if (!seen.has(s.spanId)) ordered.push({ ...s, depth: 0, children: [] });
  return { roots: roots.map((r) => r.spanId), ordered };
}
