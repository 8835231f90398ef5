import type { MiddlewareHandler } from "hono";
import { ApiError, errorBody } from "../errors.ts";

/**
 * What text Vigil accepts, decided here once for every API route: no NUL and no lone UTF-16
 * surrogate in any JSON string, text body, path or query value (PostgreSQL's text and jsonb cannot
 * hold them), JSON nested no deeper than `maxDepth`, no JSON string longer than `maxString` bytes,
 * and a bounded query string. Everything else is each route's zod schema's to judge.
 */
export interface InputGuardOptions {
  /** Arrays and objects inside one another, at most. */
  maxDepth: number;
  /** Bytes of one JSON string (key or value), escapes counted as written. */
  maxString: number;
  /** Characters of one decoded path segment or query value. */
  maxParam: number;
  /** Query parameters in one request. */
  maxParams: number;
}

export const INPUT_LIMITS: InputGuardOptions = {
  maxDepth: 64,
  maxString: 4 * 1024 * 1024,
  maxParam: 4096,
  maxParams: 64,
};

/** Why a request's text is refused: a 400 (413 for size) with where it was found. */
export class InputRejected extends ApiError {
  constructor(status: 400 | 413, code: string, message: string) {
    super(status, code, message);
  }
}

const invalidText = (where: string, what: string) =>
  new InputRejected(400, "invalid_text", `${where} contains ${what}, which Vigil does not store`);

/** Content-Types whose bodies are JSON (one value, or NDJSON), scanned as they stream. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?(?:json|x-ndjson|ndjson)\b/i;
/** Text bodies (schemas as SQL, CSV, …): only NUL is looked for. */
const TEXT_TYPE = /^(?:text\/|application\/sql\b)/i;

/**
 * Input Guard Middleware: refuses, before a route reads them, the inputs no route should see.
 * Path and query are checked at once (NUL, malformed percent-encoding, length, count); a JSON or
 * text body is checked as the route reads it, without holding or copying it: the scan runs on the
 * chunks already flowing (gzip already undone when `decompress` sits before the route). A body
 * that fails fails the route's read; the answer is then this middleware's error (400 invalid_text
 * or too_deep; 413 string_too_long), whatever the route made of the failed read.
 * Other bodies (protobuf, multipart) pass untouched.
 */
export function inputGuard(options: Partial<InputGuardOptions> = {}): MiddlewareHandler {
  const limits = { ...INPUT_LIMITS, ...options };
  return async function inputGuard(c, next) {
    checkUrl(c.req.url, limits);
    const body = c.req.raw.body;
    const type = c.req.header("content-type") ?? "";
    const kind = JSON_TYPE.test(type) ? "json" : TEXT_TYPE.test(type) ? "text" : undefined;
    if (!body || !kind) return next();

    const scanner = kind === "json" ? new JsonScanner(limits) : new TextScanner();
    let rejected: ApiError | undefined;
    const checked = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          try {
            scanner.push(chunk);
          } catch (error) {
            rejected = error as ApiError;
            throw error;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    c.req.raw = new Request(c.req.raw, { body: checked, duplex: "half" } as RequestInit);
    await next();
    // The route saw a failed read and answered as it does (hono's validator: "Malformed JSON").
    if (rejected && c.error) {
      c.res = undefined;
      c.res = c.json(errorBody(rejected.code, rejected.message), rejected.status);
    }
  };
}

/** Path segments and query values, decoded: NUL, malformed UTF-8, too long, too many. */
export function checkUrl(url: string, limits: InputGuardOptions): void {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const q = url.indexOf("?", start);
  const path = url.slice(start, q === -1 ? undefined : q);
  for (const segment of path.split("/")) checkParam("The path", segment, limits);
  if (q === -1) return;
  const pairs = url.slice(q + 1).split("&");
  if (pairs.length > limits.maxParams)
    throw new InputRejected(400, "too_many_parameters", `At most ${limits.maxParams} query parameters`);
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const name = eq === -1 ? pair : pair.slice(0, eq);
    checkParam("A query parameter name", name.replaceAll("+", " "), limits);
    if (eq !== -1)
      checkParam(`Query parameter ${safeName(name)}`, pair.slice(eq + 1).replaceAll("+", " "), limits);
  }
}

const safeName = (name: string) => {
  try {
    return JSON.stringify(decodeURIComponent(name).replaceAll("\u0000", "").slice(0, 40));
  } catch {
    return "(malformed)";
  }
};

function checkParam(where: string, raw: string, limits: InputGuardOptions): void {
  if (raw.indexOf("%") === -1) {
    if (raw.length > limits.maxParam)
      throw new InputRejected(
        400,
        "parameter_too_long",
        `${where} is longer than ${limits.maxParam} characters`,
      );
    return;
  }
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw invalidText(where, "percent-encoding that is not UTF-8");
  }
  if (value.length > limits.maxParam)
    throw new InputRejected(
      400,
      "parameter_too_long",
      `${where} is longer than ${limits.maxParam} characters`,
    );
  if (value.includes("\u0000")) throw invalidText(where, "NUL (%00)");
}

/** A text body: NUL bytes only (the route decodes and judges the rest). */
class TextScanner {
  push(chunk: Uint8Array): void {
    if (chunk.indexOf(0) !== -1) throw invalidText("The body", "a NUL byte");
  }
}

// Scanner states.
const OUT = 0;
const IN = 1;
const ESC = 2;
const HEX = 3;

const isHex = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
const hexValue = (b: number) => (b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10);

/**
 * JSON bytes, one chunk at a time, without parsing: nesting depth, string lengths, and the `\u`
 * escapes that make NUL or lone surrogates; a surrogate written raw in UTF-8 (ED A0–BF) too.
 * Malformed JSON otherwise is the parser's to find.
 */
export class JsonScanner {
  private state = OUT;
  private depth = 0;
  private stringBytes = 0;
  private hexDigits = 0;
  private code = 0;
  /** A high surrogate was just escaped: a `\u` low surrogate must follow at once. */
  private highPending = false;
  /** Inside a string, the previous byte was 0xED (a three-byte sequence that may encode a surrogate). */
  private afterED = false;

  constructor(private readonly limits: Pick<InputGuardOptions, "maxDepth" | "maxString">) {}

  push(chunk: Uint8Array): void {
    const { maxDepth, maxString } = this.limits;
    let { state, depth, stringBytes, hexDigits, code, highPending, afterED } = this;
    const n = chunk.length;
    const tooLong = () =>
      new InputRejected(413, "string_too_long", `A JSON string is longer than ${maxString} bytes`);
    const loneHigh = () => invalidText("A JSON string", "a lone surrogate (\\ud800–\\udbff)");
    let i = 0;
    while (i < n) {
      let b = chunk[i]!;
      if (state === OUT) {
        // Numbers, literals, commas, whitespace: skipped in a tight loop.
        while (b !== 0x22 && b !== 0x5b && b !== 0x7b && b !== 0x5d && b !== 0x7d) {
          if (++i === n) break;
          b = chunk[i]!;
        }
        if (i === n) break;
        i++;
        if (b === 0x22) {
          state = IN;
          stringBytes = 0;
          afterED = false;
        } else if (b === 0x5b || b === 0x7b) {
          if (++depth > maxDepth)
            throw new InputRejected(400, "too_deep", `JSON is nested deeper than ${maxDepth} levels`);
        } else if (depth > 0) depth--;
        continue;
      }
      if (state === IN) {
        if (highPending) {
          if (b !== 0x5c) throw loneHigh();
        } else {
          // Plain string bytes: skipped in a tight loop, counted at once.
          const from = i;
          while (b !== 0x22 && b !== 0x5c && !(afterED && b >= 0xa0 && b <= 0xbf)) {
            afterED = b === 0xed;
            if (++i === n) break;
            b = chunk[i]!;
          }
          stringBytes += i - from;
          if (stringBytes > maxString) throw tooLong();
          if (i === n) break;
          if (b !== 0x22 && b !== 0x5c) throw invalidText("A JSON string", "a UTF-8-encoded surrogate");
        }
        i++;
        afterED = false;
        if (b === 0x22) state = OUT;
        else if (++stringBytes > maxString) throw tooLong();
        else state = ESC;
        continue;
      }
      i++;
      if (++stringBytes > maxString) throw tooLong();
      if (state === ESC) {
        if (b === 0x75) {
          state = HEX;
          hexDigits = 0;
          code = 0;
        } else {
          if (highPending) throw loneHigh();
          state = IN;
        }
        continue;
      }
      if (!isHex(b)) {
        state = IN; // malformed: the parser says so
        continue;
      }
      code = code * 16 + hexValue(b);
      if (++hexDigits < 4) continue;
      state = IN;
      if (code === 0) throw invalidText("A JSON string", "NUL (\\u0000)");
      if (code >= 0xd800 && code <= 0xdbff) {
        if (highPending) throw loneHigh();
        highPending = true;
      } else if (code >= 0xdc00 && code <= 0xdfff) {
        if (!highPending) throw invalidText("A JSON string", "a lone surrogate (\\udc00–\\udfff)");
        highPending = false;
      } else if (highPending) {
        throw loneHigh();
      }
    }
    Object.assign(this, { state, depth, stringBytes, hexDigits, code, highPending, afterED });
  }
}
