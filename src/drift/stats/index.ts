/**
 * Vigil's drift statistics: pure functions, no I/O. The one door to the engine: code outside
 * src/drift/stats imports this module only (checked by the lint).
 */
export { compareDatasets, type Dataset, DEFAULT_DATASET_DRIFT_SHARE, testColumn } from "./compare.ts";
export {
  categoricalDistribution,
  columnDistribution,
  DISTRIBUTION_BINS,
  DISTRIBUTION_CATEGORIES,
  numericDistribution,
} from "./distribution.ts";
export { type DriftInputCode, DriftInputError } from "./errors.ts";
export { mmdTestVectors } from "./mmd.ts";
export { type PreparedColumn, prepareColumn, type RawColumn } from "./prepare.ts";
export { DRIFT_TESTS, type DriftTest, defaultTest, getTest } from "./registry.ts";
export * from "./schema.ts";
export { driftScore, SCORE_CAP, type ScoreInput, type Verdict } from "./score.ts";
