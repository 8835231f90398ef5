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

/** Formats that cannot be parsed piecewise (one JSON document) are collected, then parsed. */
class BufferedReader implements DatasetReader {
  private chunks: string[] = [];
  constructor(private readonly format?: InputFormat) {}
  push(text: string): void {
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
  private inner: DatasetReader | undefined;
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  constructor(part: Pick<FilePart, "filename" | "mimeType">) {
    const format = formatFromName(part.filename) ?? formatFromName(part.mimeType);
    if (format === "csv") this.inner = new CsvReader();
    else if (format === "ndjson") this.inner = new NdjsonReader();
    else if (format === "json") this.inner = new BufferedReader("json");
  }

  write(chunk: Uint8Array): void {
    apiErrors(() => this.push(this.decoder.decode(chunk, { stream: true })));
  }

  end(): void {
    apiErrors(() => this.push(this.decoder.decode()));
  }

  /** The parsed columns, once the part has ended. */
  dataset(): Dataset {
    return apiErrors(() => (this.inner ? this.inner.end() : parseDataset(this.pending)));
  }

  private push(text: string): void {
    if (this.inner) {
      this.inner.push(text);
      return;
    }
    this.pending += text;
    const first = this.pending.trimStart()[0];
    if (first === undefined) return;
    this.inner = first === "[" || first === "{" ? new BufferedReader() : new CsvReader();
    this.inner.push(this.pending);
    this.pending = "";
  }
}

function apiErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DriftInputError) throw toApiError(e);
    throw e;
  }
}
