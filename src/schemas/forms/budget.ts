import { LIMITS } from "../canonical.ts";
import { tooLarge } from "../errors.ts";

/**
 * Counts fields and depth while a normaliser builds the canonical form, so an oversized
 * schema (or a $ref graph that expands exponentially) stops early with a clear 413.
 */
export class Budget {
  private fields = 0;
  readonly warnings: string[] = [];

  /** Call once per field produced; `depth` is 1 for top-level fields. */
  take(path: string, depth: number): void {
    if (depth > LIMITS.maxDepth)
      throw tooLarge(`Schema nests deeper than ${LIMITS.maxDepth} levels (at ${path})`, {
        limit: "maxDepth",
        max: LIMITS.maxDepth,
        path,
      });
    this.fields++;
    if (this.fields > LIMITS.maxFields)
      throw tooLarge(`Schema has more than ${LIMITS.maxFields} fields (counting nested ones)`, {
        limit: "maxFields",
        max: LIMITS.maxFields,
      });
  }

  warn(message: string): void {
    if (this.warnings.length < 50) this.warnings.push(message);
  }
}

export const joinPath = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
