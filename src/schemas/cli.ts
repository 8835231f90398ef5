import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { SCHEMA_FORMATS, type SchemaFormat } from "./canonical.ts";
import { type CliResult, formatDiffTable, printResult } from "./cli-format.ts";
import { registerRemoteSchemaCommands } from "./cli-remote.ts";
import { diffSchemas, type SchemaDiff } from "./diff.ts";
import { SchemaInputError } from "./errors.ts";
import { normalizeSchema } from "./normalize.ts";

/**
 * `vigil schema diff a.json b.json`: the stateless diff for CI. Exit codes: 0 no breaking
 * change, 1 breaking change(s), 2 bad input (unreadable file, unknown form, invalid schema).
 */
export interface SchemaDiffArgs {
  before: string;
  after: string;
  format?: SchemaFormat;
  table?: string;
  json?: boolean;
}

function readInput(path: string): string {
  return readFileSync(path === "-" ? 0 : path, "utf8");
}

/** The command's work without process side effects, for tests and reuse. */
export function runSchemaDiff(args: SchemaDiffArgs): CliResult {
  const opts = {
    ...(args.format ? { format: args.format } : {}),
    ...(args.table ? { table: args.table } : {}),
  };
  let diff: SchemaDiff;
  try {
    const load = (path: string) => {
      let text: string;
      try {
        text = readInput(path);
      } catch (e) {
        throw new SchemaInputError("invalid", "unreadable", `Cannot read ${path}: ${(e as Error).message}`);
      }
      try {
        return normalizeSchema(text, opts).schema;
      } catch (e) {
        if (e instanceof SchemaInputError) e.message = `${path}: ${e.message}`;
        throw e;
      }
    };
    diff = diffSchemas(load(args.before), load(args.after));
  } catch (e) {
    if (e instanceof SchemaInputError) {
      const stdout = args.json ? `${JSON.stringify({ error: { code: e.code, message: e.message } })}\n` : "";
      return { exitCode: 2, stdout, stderr: `vigil schema diff: ${e.message}\n` };
    }
    throw e;
  }
  return {
    exitCode: diff.breaking ? 1 : 0,
    stdout: args.json ? `${JSON.stringify(diff, null, 2)}\n` : formatDiffTable(diff),
    stderr: "",
  };
}

export function registerSchemaCommands(program: Command): void {
  const schema = program
    .command("schema")
    .description("Schema snapshots: diff and breaking-change checks, push, history and impact");
  schema
    .command("diff")
    .description(
      "Diff two schema files (Vigil JSON, JSON Schema, OpenLineage facet, information_schema JSON/CSV, CREATE TABLE SQL; '-' reads stdin). Exit 1 on a breaking change, 2 on bad input",
    )
    .argument("<before>", "the old schema file")
    .argument("<after>", "the new schema file")
    .addOption(
      new Option("--format <format>", "input form (detected when omitted)").choices([...SCHEMA_FORMATS]),
    )
    .option("--table <name>", "which table, when the input describes several")
    .option("--json", "print the diff as JSON")
    .action(
      (before: string, after: string, opts: { format?: SchemaFormat; table?: string; json?: boolean }) =>
        printResult(runSchemaDiff({ before, after, ...opts })),
    );
  registerRemoteSchemaCommands(schema);
}
