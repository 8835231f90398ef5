import { type CreateTableStatement, type DataTypeDef, parse, type Statement } from "pgsql-ast-parser";
import type { CanonicalField } from "../canonical.ts";
import { invalidSchema, notParseable } from "../errors.ts";
import { canonicalType, formatType, parseType, type TypeNode } from "../types.ts";
import type { Budget } from "./budget.ts";

/**
 * `CREATE TABLE` statements (Postgres dialect, e.g. a drizzle-kit migration or `pg_dump -s`).
 * Other statements in the script are skipped, so a whole migration file works; only CREATE
 * TABLE and COMMENT ON COLUMN are parsed. NOT NULL and PRIMARY KEY (inline or table-level)
 * make a column required.
 */
export function looksLikeSql(text: string): boolean {
  return /\bcreate\s+(?:(?:global|local)\s+)?(?:(?:temp|temporary|unlogged)\s+)?table\b/i.test(text);
}

/** Splits a script on `;` outside quotes, comments and dollar-quoted bodies. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    if (rest.startsWith("--")) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
      cur += "\n";
      continue;
    }
    if (rest.startsWith("/*")) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
      cur += " ";
      continue;
    }
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end === -1 ? sql.length : end + dollar[0].length;
      cur += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      cur += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ";") {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function toTypeNode(t: DataTypeDef): TypeNode {
  if (t.kind === "array") return { kind: "array", of: toTypeNode(t.arrayOf) };
  const spelled = t.config && t.config.length > 0 ? `${t.name}(${t.config.join(",")})` : t.name;
  return parseType(spelled, "postgres");
}

const qname = (n: { name: string; schema?: string }) => (n.schema ? `${n.schema}.${n.name}` : n.name);

export function normalizeSql(sql: string, opts: { table?: string }, budget: Budget): CanonicalField[] {
  const tables: CreateTableStatement[] = [];
  const comments: Statement[] = [];
  for (const stmt of splitStatements(sql)) {
    const isCreate = looksLikeSql(stmt) && /^\s*create\b/i.test(stmt);
    const isComment = /^\s*comment\s+on\s+column\b/i.test(stmt);
    if (!isCreate && !isComment) continue;
    let ast: Statement[];
    try {
      ast = parse(stmt);
    } catch (e) {
      if (isComment) continue; // descriptions are a nicety; never fail a schema on them
      const msg = (e as Error).message.split("\n").slice(0, 3).join(" ");
      throw notParseable(`Cannot parse CREATE TABLE: ${msg}`, { statement: stmt.slice(0, 200) });
    }
    for (const s of ast) {
      if (s.type === "create table") tables.push(s);
      else if (s.type === "comment") comments.push(s);
    }
  }
  if (tables.length === 0) throw invalidSchema("No CREATE TABLE statement found");
  let table: CreateTableStatement;
  if (opts.table) {
    const t = opts.table;
    const found = tables.find((s) => s.name.name === t || qname(s.name) === t);
    if (!found)
      throw invalidSchema(
        `No CREATE TABLE for "${t}" (found ${tables.map((s) => qname(s.name)).join(", ")})`,
      );
    table = found;
  } else if (tables.length > 1) {
    throw invalidSchema(
      `The SQL creates ${tables.length} tables (${tables.map((s) => qname(s.name)).join(", ")}); choose one with "table"`,
      { tables: tables.map((s) => qname(s.name)) },
    );
  } else table = tables[0]!;

  const pk = new Set<string>();
  for (const c of table.constraints ?? [])
    if (c.type === "primary key") for (const col of c.columns) pk.add(col.name);
  const descriptions = new Map<string, string>();
  for (const c of comments) {
    if (c.type === "comment" && c.on.type === "column" && c.on.column.table === table.name.name)
      descriptions.set(c.on.column.column, c.comment);
  }
  const seen = new Set<string>();
  const fields: CanonicalField[] = [];
  for (const col of table.columns) {
    if (col.kind !== "column")
      throw invalidSchema("CREATE TABLE … (LIKE other) cannot be resolved from the SQL alone");
    const name = col.name.name;
    if (seen.has(name)) throw invalidSchema(`Duplicate column "${name}"`);
    seen.add(name);
    budget.take(name, 1);
    const cons = col.constraints ?? [];
    const required = pk.has(name) || cons.some((c) => c.type === "not null" || c.type === "primary key");
    const f: CanonicalField = { name, type: formatType(toTypeNode(col.dataType)), nullable: !required };
    const d = descriptions.get(name);
    if (d) f.description = d;
    fields.push(f);
  }
  return fields;
}

/** Exposed for tests of the Postgres spellings. */
export const postgresType = (spelled: string) => canonicalType(spelled, "postgres");
