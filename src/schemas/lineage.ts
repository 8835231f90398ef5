/**
 * What other capabilities may do to lineage: declare (or withdraw) which dataset fields a model
 * reads, each declarer its own part, so breaking changes of those fields reach the model.
 */
export { declareModelInputs, withdrawModelInputs } from "./lineage-store.ts";
