/**
 * Where a field is written in a schema file, so an annotation lands on its line. JSON forms are
 * read with `yaml` (JSON is YAML, and its nodes keep their offsets): fields are the `name`s of
 * `fields` lists (Vigil's form, OpenLineage), the keys of `properties` (JSON Schema) and the
 * `column_name`s of information_schema rows. Text forms (CREATE TABLE, CSV) are searched line by
 * line. Pure and best effort: a field it cannot place is undefined.
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** The 1-based line of a dotted field path, when it can be placed. */
export type FieldLocator = (path: string) => number | undefined;

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

export function fieldLocator(text: string): FieldLocator {
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const lines = jsonFieldLines(text);
    // A field the structure does not show (behind a $ref, say) may still be named somewhere.
    const search = textFieldLocator(text);
    if (lines) return (path) => lines.get(path) ?? search(path);
  }
  return textFieldLocator(text);
}

function jsonFieldLines(text: string): Map<string, number> | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) return undefined;
  const out = new Map<string, number>();
  const lineOf = (node: unknown) =>
    isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
  const place = (path: string, node: unknown) => {
    const line = lineOf(node);
    if (line !== undefined && !out.has(path)) out.set(path, line);
  };
  // Iterative, so a deeply nested file cannot exhaust the stack.
  const stack: [Node | null | undefined, string][] = [[doc.contents as Node, ""]];
  while (stack.length > 0) {
    const [node, prefix] = stack.pop()!;
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push([node.items[i] as Node, prefix]);
      continue;
    }
    if (!isMap(node)) continue;
    const pairs = new Map<string, { key: unknown; value: unknown }>();
    for (const pair of node.items)
      if (isPair(pair) && isScalar(pair.key)) pairs.set(String(pair.key.value), pair);
    const name = pairs.get("name") ?? pairs.get("column_name");
    const isField = name && isScalar(name.value) && typeof name.value.value === "string";
    const here = isField ? join(prefix, (name.value as { value: string }).value) : prefix;
    if (isField) place(here, name.key);
    const children: [Node, string][] = [];
    for (const [key, pair] of pairs) {
      if (key === "properties" && isMap(pair.value)) {
        for (const prop of pair.value.items) {
          if (!isPair(prop) || !isScalar(prop.key)) continue;
          const path = join(here, String(prop.key.value));
          place(path, prop.key);
          children.push([prop.value as Node, path]);
        }
      } else if (key !== "$defs" && key !== "definitions" && (isMap(pair.value) || isSeq(pair.value))) {
        children.push([pair.value as Node, here]);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * CREATE TABLE and CSV: a field is on the first line that names it as a whole word (quoted or not)
 * after the line of its parent, for nested paths.
 */
function textFieldLocator(text: string): FieldLocator {
  const lines = text.split(/\r?\n/);
  const find = (name: string, from: number): number | undefined => {
    const re = new RegExp(`(^|[^\\w$])["'\`]?${escapeRegExp(name)}["'\`]?($|[^\\w$])`, "i");
    for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i;
    return undefined;
  };
  // information_schema CSV: the header names columns too.
  const start = /\bcolumn_name\b/i.test(lines[0] ?? "") ? 1 : 0;
  return (path) => {
    let found: number | undefined;
    for (const segment of path.split(".")) {
      found = find(segment, found ?? start);
      if (found === undefined) return undefined;
    }
    return found === undefined ? undefined : found + 1;
  };
}

/** The line of the key at `path` in a JSON or YAML document (a contract's `fields.amount`), if any. */
export function keyLine(text: string, path: (string | number)[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0 || path.length === 0) return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path.at(-1)!;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    const node = pair?.key;
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  if (isSeq(parent) && typeof last === "number") {
    const node = parent.items[last];
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
