/** Query-string filters: only known values pass to the API, so a hand-edited URL cannot 400 a page. */

export type Filters = Record<string, string>;

/** Keeps each key whose value is allowed (a list, or a predicate on a non-empty value). */
export function pickFilters(
  query: Record<string, string | undefined>,
  allowed: Record<string, readonly string[] | ((v: string) => boolean)>,
): Filters {
  const out: Filters = {};
  for (const [key, rule] of Object.entries(allowed)) {
    const v = query[key]?.trim();
    if (!v) continue;
    if (typeof rule === "function" ? rule(v) : rule.includes(v)) out[key] = v;
  }
  return out;
}

/** `path?filters&extra`, skipping empty values: the shareable URL of a page of a filtered list. */
export function pageUrl(
  path: string,
  filters: Filters,
  extra: Record<string, string | null | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export const isIsoDate = (v: string) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d\d-\d\d/.test(v);
export const isHex32 = (v: string) => /^[0-9a-f]{32}$/i.test(v);
export const isPositiveNumber = (v: string) => /^\d+(\.\d+)?$/.test(v) && Number(v) >= 0;
/** An opaque API cursor: base64url-ish, bounded. */
export const isCursor = (v: string) => /^[A-Za-z0-9_\-=.:+/]{1,500}$/.test(v);
export const isName = (v: string) => v.length <= 300;
