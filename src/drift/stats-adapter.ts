/**
 * The one place this folder's monitor code touches the drift statistics engine (src/drift/stats,
 * owned separately): re-exports what it uses, and names the prepared-column shape for columns
 * built from SQL aggregates.
 */
import type { PreparedColumn } from "./stats/prepare.ts";

export {
  type ColumnType,
  type CompareOptions,
  DEFAULT_DATASET_DRIFT_SHARE,
  DriftInputError,
  prepareColumn,
  testColumn,
} from "./stats/index.ts";

export type PreparedColumnLike = PreparedColumn;
