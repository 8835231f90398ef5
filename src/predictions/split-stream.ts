/**
 * Cuts a request body holding many JSON values — a JSON array (`[{…},{…}]`), or values one after
 * another (NDJSON, or any whitespace between them) — into the text of each value, without parsing
 * them: the values are parsed where they are prepared (prepare.ts), each by `JSON.parse`, which is
 * many times faster than a streaming parser. Which form is decided by the first non-blank
 * character. Only structure is checked here (brackets, strings, commas between array elements);
 * whatever else is wrong with a value is found by parsing it. Texts come out in pieces of at most
 * `pieceSize` values, so the caller stores as it reads, without holding the whole body.
 */
import { StreamParseError } from "./parse-stream.ts";

/** Values of one piece, and the index in the body of its first. */
export interface TextPiece {
  first: number;
  texts: string[];
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB;

export async function* splitJsonValues(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  pieceSize: number,
): AsyncGenerator<TextPiece> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  /** undefined until the first non-blank character; then whether the body is one JSON array. */
  let array: boolean | undefined;
  /** Array mode: the closing bracket was read (only blanks may follow). */
  let closed = false;
  /** Array mode: a comma was read and no value after it yet. */
  let afterComma = false;
  let count = 0;
  let first = 0;
  let texts: string[] = [];
  // The unfinished value (carried between chunks) and the scanner's state inside it.
  let carry = "";
  let inValue = false;
  let scalar = false;
  let depth = 0;
  let inString = false;
  let escaped = false;

  const malformed = (what: string) =>
    new StreamParseError(`Malformed JSON after ${count} values: ${what}`, count);

  for await (const bytes of body as AsyncIterable<Uint8Array>) {
    const s = decoder.decode(bytes, { stream: true });
    let start = inValue ? 0 : -1;
    // The next quote and backslash at or after where a string is read (s.length: none in the chunk),
    // each searched for again only once passed: a string full of escapes is not scanned over and over.
    let quote = -1;
    let backslash = -1;
    for (let i = 0; i < s.length; i++) {
      if (texts.length >= pieceSize) {
        const piece = { first, texts };
        first += texts.length;
        texts = [];
        yield piece;
      }
      if (inValue && !scalar) {
        // Inside a string or a container, jump to the next character that matters.
        if (inString) {
          if (escaped) {
            escaped = false;
            continue;
          }
          if (quote < i) {
            quote = s.indexOf('"', i);
            if (quote === -1) quote = s.length;
          }
          if (backslash < i) {
            backslash = s.indexOf("\\", i);
            if (backslash === -1) backslash = s.length;
          }
          if (backslash < quote) {
            i = backslash;
            escaped = true;
            continue;
          }
          if (quote === s.length) break;
          i = quote;
          inString = false;
          if (depth === 0) {
            push(s.slice(start, i + 1));
            start = -1;
          }
          continue;
        }
        let c = s.charCodeAt(i);
        while (
          c !== QUOTE &&
          c !== OPEN_BRACE &&
          c !== CLOSE_BRACE &&
          c !== OPEN_BRACKET &&
          c !== CLOSE_BRACKET
        ) {
          if (++i === s.length) break;
          c = s.charCodeAt(i);
        }
        if (i === s.length) break;
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (--depth === 0) {
          push(s.slice(start, i + 1));
          start = -1;
        }
        continue;
      }
      const c = s.charCodeAt(i);
      if (inValue) {
        // A scalar: up to the next delimiter.
        if (!(isSpace(c) || c === COMMA || c === CLOSE_BRACKET || c === OPEN_BRACE || c === OPEN_BRACKET))
          continue;
        push(s.slice(start, i));
        start = -1;
        i--; // the delimiter is read again between values
        continue;
      }
      // Between values.
      if (isSpace(c)) continue;
      if (array === undefined) {
        array = c === OPEN_BRACKET;
        if (array) continue;
      }
      if (array) {
        if (closed) throw malformed(`unexpected "${s[i]}" after the array`);
        if (c === COMMA) {
          if (afterComma || count === 0) throw malformed('unexpected ","');
          afterComma = true;
          continue;
        }
        if (c === CLOSE_BRACKET) {
          if (afterComma) throw malformed('unexpected "]"');
          closed = true;
          continue;
        }
        if (count > 0 && !afterComma) throw malformed(`expected "," before "${s[i]}"`);
      }
      inValue = true;
      start = i;
      depth = 0;
      scalar = false;
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth = 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET || c === COMMA)
        throw malformed(`unexpected "${s[i]}"`);
      else scalar = true;
    }
    if (inValue) carry += start === 0 ? s : s.slice(start);
  }
  const rest = decoder.decode();
  if (rest) carry += rest;
  if (inValue) {
    if (!scalar) throw malformed("unexpected end of input");
    push("");
  }
  if (array && !closed) throw malformed("unexpected end of input, the array is not closed");
  if (texts.length) yield { first, texts };

  function push(tail: string) {
    const text = carry ? carry + tail : tail;
    carry = "";
    inValue = false;
    afterComma = false;
    texts.push(text);
    count++;
  }
}
