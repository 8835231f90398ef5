import type { Logger } from "pino";
import type { Database } from "../db/client.ts";

/** NOTIFY channel of key revocations (sent by revokeApiKey in the revoking transaction). */
export const KEYS_REVOKED = "vigil_api_keys_revoked";

/**
 * Calls `onRevoked` whenever a key is revoked, by this process or another (LISTEN). On the server
 * it also fires each time the listening connection (re)connects: notifications sent while it was
 * away are lost, so whatever was cached then must be forgotten too. Failing to listen is logged,
 * not fatal — caches then fall back to their TTL.
 */
export async function onKeyRevoked(database: Database, onRevoked: () => void, log: Logger): Promise<void> {
  try {
    if (database.postgres) await database.postgres.listen(KEYS_REVOKED, onRevoked, onRevoked);
    else await database.pglite?.listen(KEYS_REVOKED, onRevoked);
  } catch (error) {
    log.warn({ err: error }, "cannot LISTEN for key revocations; revoked keys stay cached for up to 30 s");
  }
}
