import type { Occurrence } from "../incidents/model.ts";
import type { SchemaChange } from "./diff.ts";
import type { ImpactedNode } from "./impact-paths.ts";

/**
 * What a breaking schema change tells the incident model. Pure: the store computes the impact and
 * calls recordOccurrence with this.
 */

/**
 * The fields downstream readers used that a breaking change affects, as paths in the *old* schema
 * (that is what lineage edges name). A required field added breaks producers, not readers, so it
 * has no downstream impact; a rename's readers read the old name.
 */
export function readerImpactFields(changes: SchemaChange[]): string[] {
  const out = new Set<string>();
  for (const c of changes) {
    if (!c.breaking || c.kind === "field_added") continue;
    if ((c.kind === "field_renamed" || c.kind === "possible_rename") && c.from) {
      const dot = c.path.lastIndexOf(".");
      out.add(dot < 0 ? c.from : `${c.path.slice(0, dot)}.${c.from}`);
    } else out.add(c.path);
  }
  return [...out].sort();
}

export interface SchemaIncidentInput {
  projectId: string;
  dataset: { namespace: string; name: string };
  version: number;
  previousVersion: number;
  hash: string;
  changes: SchemaChange[];
  impacted: ImpactedNode[];
  /** api | lineage (and the job that emitted it, for lineage). */
  source: string;
  job?: { namespace: string; name: string };
  at?: Date;
}

/** Same dataset + same breaking paths + same resulting schema → the same incident (a retry, a replay). */
export function schemaIncident(input: SchemaIncidentInput): Occurrence {
  const breaking = input.changes.filter((c) => c.breaking);
  const paths = [...new Set(breaking.map((c) => `${c.kind}:${c.path}`))].sort();
  const ds = `${input.dataset.namespace}/${input.dataset.name}`;
  const models = input.impacted.filter((n) => n.kind === "model").length;
  const downstream = input.impacted.length;
  const title =
    `Breaking schema change in ${input.dataset.name} (v${input.previousVersion} → v${input.version}): ` +
    `${breaking.length} breaking change${breaking.length === 1 ? "" : "s"}` +
    (downstream > 0 ? `, ${downstream} downstream node${downstream === 1 ? "" : "s"} affected` : "");
  const o: Occurrence = {
    projectId: input.projectId,
    kind: "schema",
    fingerprint: `${ds}|${paths.join(",")}|${input.hash}`,
    title,
    // A model reading a broken field is the worst case: predictions go wrong silently.
    severity: models > 0 ? "critical" : "error",
    source: ds,
    sample: {
      dataset: input.dataset,
      version: input.version,
      previousVersion: input.previousVersion,
      hash: input.hash,
      breakingChanges: breaking,
      impacted: input.impacted.map((n) => ({
        kind: n.kind,
        namespace: n.namespace,
        name: n.name,
        fields: n.fields,
        path: n.path,
      })),
      via: input.source,
      ...(input.job ? { job: input.job } : {}),
    },
    evidence: {
      dataset: ds,
      schemaVersion: input.version,
      schemaHash: input.hash,
    },
    labels: { dataset: input.dataset.name, namespace: input.dataset.namespace },
  };
  if (input.at) o.at = input.at;
  return o;
}

/** The old-schema path a change is about: a rename's readers read the old name. */
function brokenPath(c: SchemaChange): string {
  if ((c.kind === "field_renamed" || c.kind === "possible_rename") && c.from) {
    const dot = c.path.lastIndexOf(".");
    return dot < 0 ? c.from : `${c.path.slice(0, dot)}.${c.from}`;
  }
  return c.path;
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/**
 * Which of an incident's breaking changes still break, given the diff from the last version before
 * the break to the latest one: the breaking changes of that diff on the same paths (or a parent or
 * child of them). Empty = the incident is fixed (the field is back, with a compatible type). Other
 * breaking changes in the diff are someone else's incident.
 */
export function stillBreaking(incidentChanges: SchemaChange[], sinceBefore: SchemaChange[]): SchemaChange[] {
  const paths = incidentChanges.filter((c) => c.breaking).map(brokenPath);
  return sinceBefore.filter((c) => c.breaking && paths.some((p) => overlaps(p, brokenPath(c))));
}
