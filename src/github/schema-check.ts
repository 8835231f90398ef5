/**
 * The `Vigil / schema` check's findings: for each dataset `.vigil.yml` lists, its schema file at
 * the merge base and at the head, normalised and diffed with Vigil's schema rules (what
 * `vigil schema diff` does), plus who reads the changed fields when the installation is linked.
 */
import type { Db } from "../db/client.ts";
import { DomainError } from "../lib/errors.ts";
import {
  type CanonicalSchema,
  type DatasetImpact,
  datasetImpact,
  diffSchemas,
  normalizeSchema,
  type SchemaChange,
} from "../schemas/check.ts";
import { type FieldLocator, fieldLocator } from "./locate.ts";
import type { ChangedFile, RepoReader } from "./repo-files.ts";
import type { VigilFile } from "./vigil-file.ts";

export type DatasetState =
  /** Diffed: the file changed in the pull request (changes may still be none). */
  | "changed"
  | "unchanged"
  /** A dataset new to `.vigil.yml` whose file is new too: nothing reads it yet. */
  | "added"
  /** Its schema file is deleted by the pull request (there at the merge base, not at the head). */
  | "deleted"
  /** No longer listed in `.vigil.yml`, file kept: not checked any more. */
  | "dropped"
  /** The file is missing at the head or cannot be read as a schema. */
  | "broken";

export interface DatasetCheck {
  dataset: string;
  namespace?: string;
  /** The schema file at the head (at the base for a deleted one). */
  path: string;
  /** Where the file was at the base, when elsewhere (renamed, or moved in `.vigil.yml`). */
  basePath?: string;
  state: DatasetState;
  changes: SchemaChange[];
  /** Fields of a dataset that was added or deleted. */
  fieldCount?: number;
  problem?: { message: string; path: string; line: number };
  /** Lines of the head file's fields, for annotations. */
  locate?: FieldLocator;
  /** The dataset's entry in `.vigil.yml`; undefined when it is listed only at the base. */
  configLine?: number;
  /** Lineage of the changed fields: set when linked; null when the project has no such dataset. */
  impact?: DatasetImpact | null;
}

export interface SchemaCheckInput {
  reader: RepoReader;
  base: string;
  head: string;
  file: VigilFile;
  lines: number[];
  /** `.vigil.yml` at the base, when it was there and valid: how datasets were listed before. */
  baseFile?: VigilFile;
  /** The pull request's files; undefined when GitHub's list is cut off (then every file is read). */
  changed?: Map<string, ChangedFile>;
  /** Where `.vigil.yml` is (or `.vigil.yaml`). */
  configPath: string;
}

const keyOf = (s: { dataset: string; namespace?: string }) => `${s.namespace ?? ""}\u0000${s.dataset}`;

function schemaOf(text: string, entry: VigilFile["schemas"][number], path: string): CanonicalSchema {
  try {
    return normalizeSchema(text, {
      ...(entry.format ? { format: entry.format } : {}),
      ...(entry.table ? { table: entry.table } : {}),
    }).schema;
  } catch (error) {
    if (error instanceof DomainError) throw new BrokenFile(path, error.message);
    throw error;
  }
}

class BrokenFile extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const countFields = (fields: CanonicalSchema["fields"]): number =>
  fields.reduce((n, f) => n + 1 + countFields(f.fields ?? []), 0);

export async function checkSchemas(input: SchemaCheckInput): Promise<DatasetCheck[]> {
  const { reader, base, head, file, changed, configPath } = input;
  const baseEntries = new Map((input.baseFile?.schemas ?? []).map((s) => [keyOf(s), s]));
  const results = await Promise.all(
    file.schemas.map(async (entry, i): Promise<DatasetCheck> => {
      const listed = baseEntries.get(keyOf(entry));
      const basePath = listed?.path ?? changed?.get(entry.path)?.previousFilename ?? entry.path;
      const configLine = input.lines[i] ?? 1;
      const common = {
        dataset: entry.dataset,
        ...(entry.namespace ? { namespace: entry.namespace } : {}),
        path: entry.path,
        ...(basePath !== entry.path ? { basePath } : {}),
        configLine,
      };
      try {
        const headText = await reader.file(entry.path, head);
        if (headText === undefined) {
          // Gone at the head but there at the merge base: the pull request deletes it.
          const baseText = await reader.file(basePath, base);
          if (baseText === undefined)
            return {
              ...common,
              state: "broken",
              changes: [],
              problem: {
                message: `${entry.path} does not exist at the head commit`,
                path: configPath,
                line: configLine,
              },
            };
          return { ...common, path: basePath, ...deletion(schemaOf(baseText, entry, basePath)) };
        }
        const after = schemaOf(headText, entry, entry.path);
        const locate = fieldLocator(headText);
        const unchanged = changed !== undefined && !changed.has(entry.path) && basePath === entry.path;
        if (unchanged) return { ...common, state: "unchanged", changes: [], locate };
        const baseText = await reader.file(basePath, base);
        let before: CanonicalSchema | undefined;
        try {
          before = baseText === undefined ? undefined : schemaOf(baseText, entry, basePath);
        } catch (error) {
          // A base that does not read is no reason to fail the head: nothing to compare with.
          if (!(error instanceof BrokenFile)) throw error;
        }
        if (before)
          return { ...common, state: "changed", changes: diffSchemas(before, after).changes, locate };
        return { ...common, state: "added", changes: [], fieldCount: countFields(after.fields), locate };
      } catch (error) {
        if (!(error instanceof BrokenFile)) throw error;
        const inFile = error.path === entry.path;
        return {
          ...common,
          state: "broken",
          changes: [],
          problem: {
            message: `${error.path}: ${error.message}`,
            path: inFile ? entry.path : configPath,
            line: inFile ? 1 : configLine,
          },
        };
      }
    }),
  );
  // Datasets listed only at the base: gone with their file (breaking), or just no longer checked.
  const headKeys = new Set(file.schemas.map(keyOf));
  for (const entry of input.baseFile?.schemas ?? []) {
    if (headKeys.has(keyOf(entry))) continue;
    const common = {
      dataset: entry.dataset,
      ...(entry.namespace ? { namespace: entry.namespace } : {}),
      path: entry.path,
    };
    const baseText =
      (await reader.file(entry.path, head)) === undefined ? await reader.file(entry.path, base) : undefined;
    try {
      results.push(
        baseText === undefined
          ? { ...common, state: "dropped", changes: [] }
          : { ...common, ...deletion(schemaOf(baseText, entry, entry.path)) },
      );
    } catch (error) {
      if (!(error instanceof BrokenFile)) throw error;
      results.push({ ...common, state: "dropped", changes: [] });
    }
  }
  return results;
}

/** A deleted schema file: every field it had is removed. */
const deletion = (before: CanonicalSchema) => ({
  state: "deleted" as const,
  changes: diffSchemas(before, { fields: [] }).changes,
  fieldCount: countFields(before.fields),
});

/**
 * The fields whose readers a change concerns: a removed, retyped or renamed field's readers read the
 * old path; an added field has none yet, a description none that break.
 */
export function readFields(changes: readonly SchemaChange[]): string[] {
  const out = new Set<string>();
  for (const c of changes) {
    if (c.kind === "field_added" || c.kind === "description_changed") continue;
    if ((c.kind === "field_renamed" || c.kind === "possible_rename") && c.from) {
      const parent = c.path.includes(".") ? c.path.slice(0, c.path.lastIndexOf(".") + 1) : "";
      out.add(parent + c.from);
    } else out.add(c.path);
  }
  return [...out];
}

/** Adds lineage to every dataset with changes that have readers (the project's, when linked). */
export async function addImpact(db: Db, projectId: string, checks: DatasetCheck[]): Promise<void> {
  for (const check of checks) {
    const fields = readFields(check.changes);
    if (fields.length === 0) continue;
    check.impact =
      (await datasetImpact(
        db,
        projectId,
        { dataset: check.dataset, ...(check.namespace ? { namespace: check.namespace } : {}) },
        fields,
      )) ?? null;
  }
}
