/**
 * A fresh database on the PostgreSQL server for one bench run (BENCH_DATABASE_URL, else
 * TEST_DATABASE_URL, else the local test server), dropped afterwards: benches never write into
 * the server's own databases.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";

export const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/postgres";

export async function scratchDatabase(
  prefix = "vigil_bench",
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 2 });
    },
  };
}
