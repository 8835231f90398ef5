import type { Config } from "../config.ts";
import { type Database, openDatabase } from "./client.ts";
import { migrate } from "./migrate.ts";

/** Opens the database (embedded unless DATABASE_URL) and applies pending migrations. */
export async function openAndMigrate(config: Config): Promise<Database> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.VIGIL_DATA_DIR,
    poolSize: config.VIGIL_DB_POOL_SIZE,
    backendFlushAfter: config.VIGIL_DB_BACKEND_FLUSH_AFTER,
    statementTimeout: config.VIGIL_DB_STATEMENT_TIMEOUT,
    connectTimeout: config.VIGIL_DB_CONNECT_TIMEOUT,
  });
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
