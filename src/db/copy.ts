import type { Db } from "./client.ts";

/** The driver client behind a Drizzle database or transaction (postgres.js `Sql`, or PGlite's). */
interface DriverClient {
  unsafe?: (query: string) => { writable(): Promise<NodeJS.WritableStream> };
  query?: (query: string, params: unknown[], options: { blob: Blob }) => Promise<unknown>;
}

/**
 * `COPY table (columns) FROM STDIN` of text-format data (`chunks` concatenated), or of one binary
 * COPY (`format: "binary"`, chunks from copy-binary.ts), in `tx`'s transaction — or on its
 * connection when `tx` is not one. Drizzle has no COPY; postgres.js streams it as CopyData, PGlite
 * reads it from its `/dev/blob` device. A row the server refuses (a unique violation, a missing
 * partition) rejects with the server's error, and the transaction is aborted: run it in a savepoint
 * (`tx.transaction`) to go on after one.
 */
export async function copyIn(
  tx: Db,
  table: string,
  columns: readonly string[],
  chunks: (string | Uint8Array)[],
  options: { format?: "text" | "binary" } = {},
): Promise<void> {
  const client = (tx as unknown as { session: { client: DriverClient } }).session.client;
  const target = `${table} (${columns.join(", ")})`;
  const format = options.format === "binary" ? " with (format binary)" : "";
  if (client.unsafe) {
    const stream = await client.unsafe(`copy ${target} from stdin${format}`).writable();
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("finish", resolve);
      for (const chunk of chunks) stream.write(chunk);
      stream.end();
    });
    return;
  }
  if (!client.query) throw new Error("copyIn: unknown database driver");
  await client.query(`copy ${target} from '/dev/blob'${format}`, [], { blob: new Blob(chunks) });
}
