import { ApiError } from "../../http/errors.ts";
import type { FilePart, FileSink } from "../../http/middleware/multipart.ts";
import { type Dataset, DriftInputError } from "../stats/index.ts";
import { CsvReader, formatFromName, type InputFormat, NdjsonReader, parseDataset } from "./input.ts";

const BAD_REQUEST_CODES = new Set(["invalid_input", "invalid_options", "unknown_test"]);

/** Engine input errors → the API's 400/422 with the engine's code and details. */
export function toApiError(e: DriftInputError): ApiError {
  const status = BAD_REQUEST_CODES.has(e.code) ? 400 : 422;
  return new ApiError(status, e.code, e.message, e.details);
}

interface DatasetReader {
  push(text: string): void;
  end(): Dataset;
}

/**
 * Formats that cannot be parsed piecewise (one JSON document) are collected, then parsed — and so
 * held whole, several times over while parsing: they get the ordinary body limit, not the upload
 * limit that streamed CSV and NDJSON get.
 */
class BufferedReader implements DatasetReader {
  private chunks: string[] = [];
  private length = 0;
  constructor(
    private readonly maxLength: number,
    private readonly format?: InputFormat,
  ) {}
  push(text: string): void {
    this.length += text.length;
    if (this.length > this.maxLength) throw jsonTooLarge(this.maxLength);
    this.chunks.push(text);
  }
  end(): Dataset {
    return parseDataset(this.chunks.join(""), this.format);
  }
}

/**
 * One uploaded dataset, fed by the multipart middleware as it streams in. CSV and NDJSON (by file
 * name or type) are parsed chunk by chunk into column arrays; without either, the first non-blank
 * character decides: `[` or `{` → buffered JSON/NDJSON sniffing as parseDataset does, anything else
 * → streamed CSV. Parse errors surface as the API's errors, since they are raised outside the route.
 */
export class UploadReader implements FileSink {
  private csv: CsvReader | undefined;
  private inner: DatasetReader | undefined;
  /** Until the format is known: the text so far, and its bytes (for CSV, which reads bytes). */
  private pending = "";
  private pendingBytes: Uint8Array[] = [];
  /** The first bytes, until there are enough to tell a byte order mark (dropped, as TextDecoder does). */
  private head: Uint8Array | undefined = new Uint8Array(0);
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });

  /** `jsonLimit`: the most a JSON (not NDJSON) file may hold, since it is parsed whole. */
  constructor(
    part: Pick<FilePart, "filename" | "mimeType">,
    private readonly jsonLimit: number,
  ) {
    const format = formatFromName(part.filename) ?? formatFromName(part.mimeType);
    if (format === "csv") this.csv = new CsvReader();
    else if (format === "ndjson") this.inner = new NdjsonReader();
    else if (format === "json") this.inner = new BufferedReader(jsonLimit, "json");
  }

  write(chunk: Uint8Array): void {
    if (this.head) {
      const bytes = this.head.length > 0 ? Buffer.concat([this.head, chunk]) : chunk;
      if (bytes.length < 3) {
        this.head = bytes;
        return;
      }
      this.head = undefined;
      chunk = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
    }
    apiErrors(() => this.push(chunk));
  }

  end(): void {
    if (this.head) {
      const bytes = this.head;
      this.head = undefined;
      this.write(bytes);
    }
    if (!this.csv) apiErrors(() => this.pushText(this.decoder.decode()));
  }

  /** The parsed columns, once the part has ended. */
  dataset(): Dataset {
    return apiErrors(() => {
      if (this.csv) return this.csv.end();
      return this.inner ? this.inner.end() : parseDataset(this.pending);
    });
  }

  private push(chunk: Uint8Array): void {
    if (this.csv) this.csv.push(chunk);
    else {
      if (!this.inner) this.pendingBytes.push(chunk);
      this.pushText(this.decoder.decode(chunk, { stream: true }));
    }
  }

  private pushText(text: string): void {
    if (this.inner) {
      this.inner.push(text);
      return;
    }
    this.pending += text;
    const first = this.pending.trimStart()[0];
    if (first === undefined) return;
    if (first === "[" || first === "{") {
      this.inner = new BufferedReader(this.jsonLimit);
      this.inner.push(this.pending);
    } else {
      this.csv = new CsvReader();
      for (const bytes of this.pendingBytes) this.csv.push(bytes);
    }
    this.pending = "";
    this.pendingBytes = [];
  }
}

/** A whole-document JSON dataset past the body limit. */
export const jsonTooLarge = (limit: number) =>
  new ApiError(
    413,
    "payload_too_large",
    `A JSON dataset is parsed whole, so it may hold at most ${limit} bytes (VIGIL_BODY_LIMIT); send CSV or NDJSON, which stream, for larger data`,
  );

function apiErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DriftInputError) throw toApiError(e);
    throw e;
  }
}
