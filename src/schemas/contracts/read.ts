/** What other capabilities may read of dataset contracts (GET /api/v1/contracts lists them too). */
export { listDatasetContracts } from "./store.ts";
