/** The rows of a raw `execute`: postgres.js returns them as the result, PGlite inside `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}
