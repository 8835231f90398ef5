/**
 * Streaming parse of a request body holding many JSON values: a JSON array (`[{…},{…}]`) or
 * NDJSON (one value a line). Which one is decided by the first non-blank byte, so a client that
 * sends NDJSON as application/json still works. Values come out in batches so the caller can
 * insert as it reads, without holding the whole body.
 */
import { JSONParser } from "@streamparser/json";

export class StreamParseError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

export async function* parseJsonValues(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  batchSize: number,
): AsyncGenerator<unknown[]> {
  let parser: JSONParser | undefined;
  let pending: unknown[] = [];
  let count = 0;
  let error: Error | undefined;
  const make = (array: boolean) => {
    const p = new JSONParser(
      array ? { paths: ["$.*"], keepStack: false } : { separator: "", paths: ["$"], keepStack: false },
    );
    p.onValue = ({ value }) => {
      pending.push(value);
      count++;
    };
    p.onError = (e) => {
      error ??= e;
    };
    return p;
  };
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    if (!parser) {
      let i = 0;
      while (
        i < chunk.length &&
        (chunk[i] === 0x20 || chunk[i] === 0x0a || chunk[i] === 0x0d || chunk[i] === 0x09)
      )
        i++;
      if (i === chunk.length) continue;
      parser = make(chunk[i] === 0x5b /* [ */);
    }
    parser.write(chunk);
    if (error) throw new StreamParseError(`Malformed JSON after ${count} values: ${error.message}`, count);
    while (pending.length >= batchSize) {
      const batch = pending.slice(0, batchSize);
      pending = pending.slice(batchSize);
      yield batch;
    }
  }
  if (parser && !parser.isEnded) {
    try {
      parser.end();
    } catch (e) {
      error ??= e as Error;
    }
  }
  if (error) throw new StreamParseError(`Malformed JSON after ${count} values: ${error.message}`, count);
  if (pending.length) yield pending;
}
