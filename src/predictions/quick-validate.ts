/**
 * A shortcut past zod for the common prediction row (pure). `PredictionIn` (model.ts) stays the one
 * definition of a valid row: this only recognises rows that certainly pass it and are already in the
 * form it would return (no key it strips, no value it transforms), and hands them back as they are,
 * without zod's copy of every object. Anything else — an invalid row, an unknown key, a numeric
 * request id, an object that did not come from JSON — gets `undefined`, and the caller asks zod,
 * which also words the errors. test/predictions/quick-validate.test.ts holds the two to the same verdict.
 */
import { EARLIEST_INSTANT, END_OF_INSTANTS, inInstantRange, isoInstant } from "../http/bounded.ts";
import type { PredictionIn } from "./model.ts";

/** The pattern zod checks an ISO timestamp against, taken from the schema itself (not a copy). */
const ISO_PATTERN: RegExp | undefined = (() => {
  const pattern = (isoInstant() as unknown as { _zod?: { def?: { pattern?: unknown } } })._zod?.def?.pattern;
  return pattern instanceof RegExp && !pattern.global && !pattern.sticky ? pattern : undefined;
})();

const NAME_MAX = 200;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** 1–200 UTF-16 units, as `z.string().min(1).max(200)` counts. */
const isName = (v: unknown): v is string => typeof v === "string" && v.length >= 1 && v.length <= NAME_MAX;

/** A finite number (`z.number()` refuses ±Infinity and NaN). */
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function isNumberArray(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isNumber(v[i])) return false;
  return true;
}

function isTimestamp(v: unknown): boolean {
  if (typeof v === "number")
    return Number.isSafeInteger(v) && v >= EARLIEST_INSTANT && v <= END_OF_INSTANTS - 1;
  return (
    typeof v === "string" && ISO_PATTERN !== undefined && ISO_PATTERN.test(v) && inInstantRange(Date.parse(v))
  );
}

/** A features object whose every key and value `FeatureValue`'s record takes as it is. */
function isFeatures(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const key in v) {
    // zod drops a `__proto__` key from its copy: the row would not be the same.
    if (key.length < 1 || key.length > NAME_MAX || key === "__proto__") return false;
    const x = v[key];
    if (x === null || typeof x === "string" || typeof x === "boolean") continue;
    if (typeof x === "number") {
      if (!Number.isFinite(x)) return false;
      continue;
    }
    if (!isNumberArray(x)) return false;
  }
  return true;
}

function isOutput(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return isNumberArray(v);
  if (!isPlainObject(v)) return false;
  for (const key in v) if (key === "__proto__") return false;
  return true;
}

/**
 * `value` as a valid PredictionIn when it certainly is one exactly as zod would return it;
 * undefined when zod must judge (it may still be valid).
 */
export function quickPrediction(value: unknown): PredictionIn | undefined {
  if (!isPlainObject(value)) return undefined;
  let model = false;
  let features = false;
  for (const key in value) {
    const v = value[key];
    switch (key) {
      case "model":
        if (!isName(v)) return undefined;
        model = true;
        break;
      case "modelVersion":
        if (!isName(v)) return undefined;
        break;
      case "timestamp":
        if (!isTimestamp(v)) return undefined;
        break;
      case "requestId":
        // A number is valid too, but zod turns it into a string.
        if (!isName(v)) return undefined;
        break;
      case "features":
        if (!isFeatures(v)) return undefined;
        features = true;
        break;
      case "output":
        if (!isOutput(v)) return undefined;
        break;
      case "label":
        if (v === undefined) return undefined;
        break;
      default:
        return undefined;
    }
  }
  return model && features ? (value as PredictionIn) : undefined;
}
