/**
 * `.vigil.yml`, the file in a user's repository that says what the PR checks look at: parsed with
 * `yaml`, validated with zod, every problem reported with its line so the check can annotate it.
 */

import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { SCHEMA_FORMATS } from "../schemas/check.ts";

/** Looked for at the repository root, in this order. */
export const VIGIL_FILE_NAMES = [".vigil.yml", ".vigil.yaml"] as const;

export const FAIL_ON = ["breaking", "any", "never"] as const;
export type FailOn = (typeof FAIL_ON)[number];

const RepoPath = z
  .string()
  .min(1)
  .max(1000)
  .refine(
    (p) => !p.startsWith("/") && !p.includes("\\") && !p.split("/").some((s) => s === ".." || s === "."),
    "expected a path inside the repository, relative to its root (no leading /, no . or ..)",
  );

export const VigilFileSchema = z
  .object({
    schemas: z
      .array(
        z
          .object({
            dataset: z.string().min(1).max(1000),
            namespace: z.string().min(1).max(1000).optional(),
            path: RepoPath,
            /** As `vigil schema diff --format`: detected when omitted. */
            format: z.enum(SCHEMA_FORMATS).optional(),
            /** As `vigil schema diff --table`: which table, when the file describes several. */
            table: z.string().min(1).max(1000).optional(),
          })
          .strict(),
      )
      .max(100)
      .default([]),
    contracts: z
      .array(z.object({ model: z.string().min(1).max(200), path: RepoPath }).strict())
      .max(50)
      .default([]),
    failOn: z.enum(FAIL_ON).default("breaking"),
    overrideLabel: z.string().min(1).max(50).default("vigil/allow-breaking"),
    /** The window of stored predictions a changed contract is evaluated against. */
    contractWindowHours: z
      .number()
      .positive()
      .max(24 * 31)
      .default(24),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.schemas.forEach((s, i) => {
      const key = `${s.namespace ?? ""}\u0000${s.dataset}`;
      if (seen.has(key))
        ctx.addIssue({
          code: "custom",
          path: ["schemas", i, "dataset"],
          message: `dataset ${s.dataset} is listed twice (entry ${seen.get(key)! + 1})`,
        });
      else seen.set(key, i);
    });
    const models = new Set<string>();
    file.contracts.forEach((c, i) => {
      if (models.has(c.model))
        ctx.addIssue({
          code: "custom",
          path: ["contracts", i, "model"],
          message: `model ${c.model} is listed twice`,
        });
      models.add(c.model);
    });
  });
export type VigilFile = z.output<typeof VigilFileSchema>;

export interface FileProblem {
  message: string;
  /** 1-based; 1 when the problem has no better place. */
  line: number;
}

export type VigilFileResult =
  | {
      ok: true;
      file: VigilFile;
      /** The line of each `schemas` and `contracts` entry, for annotations. */
      lines: { schemas: number[]; contracts: number[] };
    }
  | { ok: false; problems: FileProblem[] };

/** Parses and validates a `.vigil.yml`; never throws. An empty file lists nothing. */
export function parseVigilFile(text: string): VigilFileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0)
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        message: `invalid YAML: ${e.message.split("\n")[0]}`,
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
      })),
    };
  const lineOf = (path: (string | number)[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  const parsed = VigilFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
        const where = path.length ? `${path.join(".")}: ` : "";
        return { message: `${where}${issue.message}`, line: lineOf(path) };
      }),
    };
  const file = parsed.data;
  return {
    ok: true,
    file,
    lines: {
      schemas: file.schemas.map((_, i) => lineOf(["schemas", i])),
      contracts: file.contracts.map((_, i) => lineOf(["contracts", i])),
    },
  };
}
