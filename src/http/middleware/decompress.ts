import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { createGunzip, gunzipSync } from "node:zlib";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.ts";

/** The request body codings Vigil reads. */
type ContentCoding = "identity" | "gzip";

/** The coding a Content-Encoding header names: absent or identity, gzip (x-gzip); anything else is a 415. */
function contentCoding(header: string | null | undefined): ContentCoding {
  const coding = (header ?? "").trim().toLowerCase();
  if (coding === "" || coding === "identity") return "identity";
  if (coding === "gzip" || coding === "x-gzip") return "gzip";
  throw new ApiError(415, "unsupported_encoding", `Content-Encoding ${coding} is not supported (gzip is)`);
}

const tooLarge = (limit: number) =>
  new ApiError(413, "payload_too_large", `Decompressed body exceeds ${limit} bytes`);

const notGzip = (error: unknown) =>
  new ApiError(400, "bad_request", `Body is not valid gzip: ${(error as Error).message}`);

/** zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR, …): the body, not the connection, is at fault. */
const isZlibError = (error: unknown) => /^Z_/.test(String((error as { code?: unknown })?.code));

export interface DecompressOptions {
  /**
   * Bytes the body may inflate to; one more is a 413. The app's body limit counts the bytes on
   * the wire, so without this a small gzip bomb would inflate unchecked.
   */
  limit: number;
}

/**
 * Request bodies sent with `Content-Encoding: gzip` (or `x-gzip`) reach the route inflated, as a
 * stream: the route reads them as it would a plain body (`c.req.raw.body`, `c.req.text()`, …),
 * and Content-Encoding and Content-Length are gone. Reading fails with a 413 `payload_too_large`
 * as soon as more than `limit` bytes came out, and with a 400 on a body that is not gzip; any
 * other Content-Encoding is a 415 `unsupported_encoding` before the route runs. Identity bodies
 * pass through untouched.
 */
export function decompress(options: DecompressOptions): MiddlewareHandler {
  const { limit } = options;
  return async function decompress(c, next) {
    const body = c.req.raw.body;
    if (contentCoding(c.req.header("content-encoding")) === "identity" || !body) return next();
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    c.req.raw = new Request(c.req.raw, {
      body: gunzipStream(body, limit),
      headers,
      duplex: "half",
    } as RequestInit);
    return next();
  };
}

/**
 * Bytes zlib hands over at a time: the size a socket read gives for a plain body, so an inflated body
 * goes through the stream layers after it (input guard, the route's reader) in as few pieces (zlib's
 * default, 16 KiB, makes four times as many).
 */
const INFLATE_CHUNK = 64 * 1024;

/**
 * `body` gunzipped, pulled a chunk at a time as the reader asks (zlib waits while the reader does),
 * so memory stays at a few chunks whatever the ratio; past `limit` inflated bytes it errors and
 * stops reading the request.
 */
function gunzipStream(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
  // Either side failing destroys the other: the request body is cancelled, zlib's memory freed.
  pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), gunzip).catch(() => {
    // Reported to the reader through `chunks`.
  });
  const chunks: AsyncIterator<Buffer> = gunzip[Symbol.asyncIterator]();
  let inflated = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw isZlibError(error) ? notGzip(error) : error;
      }
      if (next.done) return controller.close();
      inflated += next.value.length;
      if (inflated > limit) {
        gunzip.destroy();
        throw tooLarge(limit);
      }
      controller.enqueue(next.value);
    },
    cancel() {
      gunzip.destroy();
    },
  });
}

/**
 * decompress for a body already in memory, synchronously (the OTLP prepare threads): the same
 * Content-Encoding negotiation, limit and errors.
 */
export function decompressSync(
  body: Uint8Array,
  contentEncoding: string | undefined,
  limit: number,
): Uint8Array {
  if (contentCoding(contentEncoding) === "identity") return body;
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(limit);
    throw notGzip(error);
  }
}
