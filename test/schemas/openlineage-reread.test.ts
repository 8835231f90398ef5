import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CanonicalSchema } from "../../src/schemas/canonical.ts";
import { diffSchemas } from "../../src/schemas/diff.ts";
import { normalizeSchema } from "../../src/schemas/normalize.ts";
import { rereadOpenLineageSchema } from "../../src/schemas/openlineage-reread.ts";

const facet = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/openlineage/${name}`, import.meta.url), "utf8")).schema;

/** Today's reading of a facet, and the literal one Vigil made before the conventions (= its own form). */
const today = (f: unknown) => normalizeSchema(f, { format: "openlineage" }).schema;
const literal = (f: unknown) => normalizeSchema(f, { format: "vigil" }).schema;

const flinkInput = () => {
  const text = readFileSync(
    new URL("./fixtures/openlineage/flink1-expected_protobuf.json", import.meta.url),
    "utf8",
  );
  return JSON.parse(text).inputs[0].facets.schema;
};

describe("re-reading a snapshot stored before the OpenLineage conventions", () => {
  for (const [name, f] of [
    ["the spec's SchemaDatasetFacet test", facet("spec-tests-SchemaDatasetFacet-1.json")],
    ["Flink's protobuf event", flinkInput()],
  ] as const) {
    it(`${name}: the old reading re-read is today's reading, so a re-send changes nothing`, () => {
      const before = literal(f);
      const now = today(f);
      expect(before).not.toEqual(now);
      // Diffed literally, the re-send would look breaking (array<struct> → array<string>).
      expect(diffSchemas(before, now).breaking).toBe(true);
      expect(rereadOpenLineageSchema(before, now)).toEqual(now);
      expect(diffSchemas(rereadOpenLineageSchema(before, now), now).changes).toEqual([]);
      // Re-reading today's reading changes nothing.
      expect(rereadOpenLineageSchema(now, now)).toEqual(now);
    });
  }

  it("a real change next to the re-read is still reported", () => {
    const f = facet("spec-tests-SchemaDatasetFacet-1.json");
    const changed = structuredClone(f);
    changed.fields.find((x: { name: string }) => x.name === "amount").type = "string";
    const now = today(changed);
    const diff = diffSchemas(rereadOpenLineageSchema(literal(f), now), now);
    expect(diff.changes.map((c) => [c.path, c.kind, c.breaking])).toEqual([["amount", "type_changed", true]]);
  });

  it("a struct of key and value stays a struct unless the new reading has a map there", () => {
    const previous: CanonicalSchema = {
      fields: [
        {
          name: "kafka",
          type: "struct",
          nullable: true,
          fields: [
            { name: "key", type: "string", nullable: true },
            { name: "value", type: "string", nullable: true },
          ],
        },
      ],
    };
    expect(rereadOpenLineageSchema(previous, previous)).toEqual(previous);
    const asMap: CanonicalSchema = {
      fields: [{ name: "kafka", type: "map<string,string>", nullable: true }],
    };
    expect(rereadOpenLineageSchema(previous, asMap)).toEqual(asMap);
  });
});
