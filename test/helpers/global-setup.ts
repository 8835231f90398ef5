import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";

/**
 * Once per test run: a migrated, empty embedded database, dumped to a file. Every PGlite suite
 * starts from it (test/helpers/db.ts) instead of running initdb and the migrations again.
 */
export default async function setup(project: TestProject) {
  const database = await openDatabase({});
  await migrate(database);
  const dump = await database.pglite!.dumpDataDir("none");
  await database.close();
  const file = join(tmpdir(), `vigil-test-pglite-${process.pid}.tar`);
  await writeFile(file, new Uint8Array(await dump.arrayBuffer()));
  project.provide("pgliteTemplate", file);
  return () => rm(file, { force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
