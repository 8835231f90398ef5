/** Vigil's drift statistics: pure functions, no I/O. */
export { compareDatasets, type Dataset, DEFAULT_DATASET_DRIFT_SHARE, testColumn } from "./compare.ts";
export { type DriftInputCode, DriftInputError } from "./errors.ts";
export { prepareColumn, type RawColumn } from "./prepare.ts";
export { DRIFT_TESTS, type DriftTest, defaultTest, getTest } from "./registry.ts";
export * from "./schema.ts";
