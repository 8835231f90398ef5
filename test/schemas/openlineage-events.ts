/**
 * OpenLineage RunEvents for lineage tests: a COMPLETE run of `job` reading `inputs` and writing
 * `outputs`, each output with its schema facet (`fields`) and column lineage (`lineage`: output
 * field → [input dataset, field][]). Each builder numbers its runs; `runIdPrefix` keeps the run ids
 * of two builders apart.
 */
export const PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/client/python";
export const NS = "postgres://warehouse:5432";

export type OutputSpec = { name: string; fields?: string[]; lineage?: Record<string, [string, string][]> };

export function runEventBuilder(runIdPrefix = "00000000-0000-4000-8000") {
  let runs = 0;
  return function runEvent(job: string, inputs: string[], outputs: OutputSpec[], ns = NS) {
    runs++;
    return {
      eventType: "COMPLETE",
      eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, runs)).toISOString(),
      producer: PRODUCER,
      schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
      run: { runId: `${runIdPrefix}-${String(runs).padStart(12, "0")}` },
      job: { namespace: "etl", name: job },
      inputs: inputs.map((name) => ({ namespace: ns, name })),
      outputs: outputs.map((o) => ({
        namespace: ns,
        name: o.name,
        facets: {
          ...(o.fields
            ? {
                schema: {
                  _producer: PRODUCER,
                  _schemaURL: "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json",
                  fields: o.fields.map((name) => ({ name, type: "string" })),
                },
              }
            : {}),
          ...(o.lineage
            ? {
                columnLineage: {
                  _producer: PRODUCER,
                  _schemaURL: "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json",
                  fields: Object.fromEntries(
                    Object.entries(o.lineage).map(([out, ins]) => [
                      out,
                      { inputFields: ins.map(([name, field]) => ({ namespace: ns, name, field })) },
                    ]),
                  ),
                },
              }
            : {}),
        },
      })),
    };
  };
}
