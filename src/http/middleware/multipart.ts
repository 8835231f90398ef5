import { Readable } from "node:stream";
import { Busboy, type BusboyInstance } from "@fastify/busboy";
import type { MiddlewareHandler } from "hono";
import { ApiError, badRequest } from "../errors.ts";

/** What a file part says about itself. */
export interface FilePart {
  field: string;
  /** The part's filename, if it gave one (a form field sent without one still streams). */
  filename?: string;
  /** The part's Content-Type (text/plain when it gives none). */
  mimeType: string;
}

/**
 * Where one file field's bytes go as they arrive: the route parses them itself, so the request
 * body is never held whole. Throwing (an ApiError, for the client's fault) fails the request.
 */
export interface FileSink {
  write(chunk: Uint8Array): void;
  /** The part is complete. */
  end(): void;
}

export interface FileField<S extends FileSink = FileSink> {
  kind: "file";
  open(part: FilePart): S;
}

export interface TextField {
  kind: "text";
  maxSize: number;
}

/** A file field: `open` is called once when its part starts, and gets the part's bytes. */
export const fileField = <S extends FileSink>(open: (part: FilePart) => S): FileField<S> => ({
  kind: "file",
  open,
});

/** A text field, read into a string of at most `maxSize` bytes (413 beyond). */
export const textField = (maxSize: number): TextField => ({ kind: "text", maxSize });

export type MultipartFields = Record<string, FileField | TextField>;

/** The fields that came, each once: a file field's sink, a text field's value. */
export type MultipartBody<F extends MultipartFields> = {
  [K in keyof F]?: F[K] extends FileField<infer S> ? S : string;
};

/** Set only for multipart requests: other bodies pass through untouched. */
export interface MultipartEnv<F extends MultipartFields> {
  Variables: { multipart?: MultipartBody<F> };
}

export interface MultipartOptions<F extends MultipartFields> {
  /** The fields the route reads. Parts with other names are read past and dropped. */
  fields: F;
  /** Bytes, the whole body: a larger Content-Length is refused before reading, a longer stream as soon as it gets there. */
  limit: number;
  /** Where `limit` comes from (a setting's name), for the 413 message. */
  limitName?: string;
}

const MULTIPART = /^multipart\/form-data/i;

/** Whether the request says it is multipart/form-data (what the middleware reads). */
export const isMultipart = (contentType: string | undefined): boolean => MULTIPART.test(contentType ?? "");

/**
 * Multipart Middleware: streams a multipart/form-data body through busboy and hands each declared
 * file field's chunks to the route's sink as they arrive, so memory holds what the route makes of
 * them rather than the files; text fields come back as strings. The result is `c.var.multipart`.
 *
 * Errors are the app's: 413 payload_too_large past `limit` or a text field's maxSize, 400
 * bad_request for a field sent twice or a malformed or truncated body.
 *
 * @example
 * ```ts
 * app.post("/upload", multipart({ limit: 1 << 20, fields: { file: fileField(() => sink()), note: textField(1024) } }),
 *   (c) => c.json({ note: c.var.multipart?.note }));
 * ```
 */
export function multipart<F extends MultipartFields>(
  options: MultipartOptions<F>,
): MiddlewareHandler<MultipartEnv<F>> {
  const { fields, limit } = options;
  const tooLarge = () =>
    new ApiError(
      413,
      "payload_too_large",
      `Request body exceeds ${limit} bytes${options.limitName ? ` (${options.limitName})` : ""}`,
    );
  const kindOf = (name: string | undefined) =>
    name !== undefined && Object.hasOwn(fields, name) ? fields[name]!.kind : undefined;
  // busboy holds a text part whole until it ends: cap them all at the largest declared text field.
  const textCap = Math.max(0, ...Object.values(fields).map((f) => (f.kind === "text" ? f.maxSize : 0)));

  return async function multipart(c, next) {
    const contentType = c.req.header("content-type");
    if (!isMultipart(contentType)) return next();
    if (Number(c.req.header("content-length") ?? Number.NaN) > limit) throw tooLarge();

    const body: Record<string, FileSink | string> = {};
    let failure: unknown;
    const fail = (e: unknown) => {
      failure ??= e;
    };
    const take = (field: string) => {
      if (Object.hasOwn(body, field)) throw badRequest(`Multipart field "${field}" appears more than once`);
    };

    let bb: BusboyInstance;
    try {
      bb = new Busboy({
        headers: { "content-type": contentType! },
        limits: { fieldSize: textCap },
        // A declared file field streams even when sent as a plain form field (no filename); a declared
        // text field is a string even when sent as a file.
        isPartAFile: (field, type, filename) => {
          const kind = kindOf(field);
          return kind ? kind === "file" : filename !== undefined || type === "application/octet-stream";
        },
      });
    } catch (e) {
      throw badRequest(`Malformed multipart body: ${(e as Error).message}`);
    }

    const fileEnds: Promise<void>[] = [];
    bb.on("file", (field, stream, filename, _encoding, mimeType) => {
      if (failure || kindOf(field) !== "file") {
        stream.on("error", () => {}); // a part cut short: busboy reports it as the form's error too
        stream.resume();
        return;
      }
      let sink: FileSink | undefined;
      try {
        take(field);
        sink = (fields[field] as FileField).open({ field, filename, mimeType });
        body[field] = sink;
      } catch (e) {
        fail(e);
      }
      stream.on("data", (chunk: Buffer) => {
        if (failure || !sink) return;
        try {
          sink.write(chunk);
        } catch (e) {
          fail(e);
        }
      });
      fileEnds.push(
        new Promise((resolve) => {
          stream.on("end", () => {
            try {
              if (!failure && sink) sink.end();
            } catch (e) {
              fail(e);
            }
            resolve();
          });
          stream.on("error", (e) => {
            fail(badRequest(`Malformed multipart body: ${e.message}`));
            resolve();
          });
        }),
      );
    });
    bb.on("field", (field, value, _nameTruncated, valueTruncated) => {
      if (failure || kindOf(field) !== "text") return;
      try {
        const { maxSize } = fields[field] as TextField;
        if (valueTruncated || Buffer.byteLength(value) > maxSize)
          throw new ApiError(413, "payload_too_large", `Multipart field "${field}" exceeds ${maxSize} bytes`);
        take(field);
        body[field] = value;
      } catch (e) {
        fail(e);
      }
    });
    // Settles on the form's end or its first error (then `failure` says which).
    const finished = new Promise<void>((resolve) => {
      bb.on("finish", resolve);
      bb.on("error", (e: Error) => {
        fail(badRequest(`Malformed multipart body: ${e.message}`));
        resolve();
      });
    });

    let size = 0;
    try {
      if (c.req.raw.body) {
        for await (const chunk of Readable.fromWeb(c.req.raw.body as never) as AsyncIterable<Uint8Array>) {
          size += chunk.byteLength;
          if (size > limit) throw tooLarge();
          if (!bb.write(chunk)) await Promise.race([new Promise((r) => bb.once("drain", r)), finished]);
          if (failure) break;
        }
      }
      if (!failure) {
        bb.end();
        await finished;
        await Promise.all(fileEnds);
      }
    } catch (e) {
      // Reading the request failed (the client went away, say).
      if (e instanceof ApiError) throw e;
      throw badRequest(`Malformed multipart body: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (failure) throw failure;
    c.set("multipart", body as MultipartBody<F>);
    await next();
  };
}
