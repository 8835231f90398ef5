import type { SchemaChange, SchemaDiff } from "./diff.ts";

/** Plain-text output shared by the schema commands (local `diff`, remote `push`/`history`). */

export interface CliResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

/** What a command's action does with its result. */
export function printResult(r: CliResult): void {
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}

export function describeChange(c: SchemaChange): string {
  switch (c.kind) {
    case "field_added":
      return `+ ${c.to}`;
    case "field_removed":
      return `- ${c.from}`;
    case "description_changed":
      return "description";
    default:
      return `${c.from ?? ""} → ${c.to ?? ""}`;
  }
}

/** A plain-text table: verdict, kind, path, change, reason. */
export function formatDiffTable(diff: SchemaDiff): string {
  if (diff.changes.length === 0) return "No changes.\n";
  const rows = diff.changes.map((c) => [
    c.breaking ? "BREAKING" : "ok",
    c.kind,
    c.path,
    describeChange(c),
    c.reason,
  ]);
  const header = ["", "change", "path", "from → to", "why"];
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const breaking = diff.changes.filter((c) => c.breaking).length;
  return [
    line(header),
    ...rows.map(line),
    "",
    `${diff.changes.length} change${diff.changes.length === 1 ? "" : "s"}, ${breaking} breaking`,
    "",
  ].join("\n");
}
