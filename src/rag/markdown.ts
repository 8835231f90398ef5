/**
 * Markdown → chunks: split by headings, each chunk keeps its heading path; long sections are split
 * on paragraph boundaries under a size cap, fenced code blocks are never cut.
 * Pure: no I/O.
 */

export interface ParsedDocument {
  /** From front matter `title:`, else the first H1, else undefined. */
  title?: string;
  frontMatter: Record<string, string>;
  /** The Markdown without its front matter. */
  body: string;
}

export interface Chunk {
  /** 0-based position in the document. */
  ord: number;
  /** Headings from the top down to this chunk's section (H1 included). */
  headingPath: string[];
  content: string;
}

export interface ChunkOptions {
  /** Soft cap on a chunk's characters: sections longer than this are split between paragraphs. */
  maxChars?: number;
  /** Sections shorter than this are merged into the following sibling when they have no body. */
  minChars?: number;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/** Reads a YAML-ish front matter block (flat `key: value` lines; all a runbook needs). */
export function parseMarkdown(source: string): ParsedDocument {
  const text = source.replace(/^\uFEFF/, "");
  const frontMatter: Record<string, string> = {};
  let body = text;
  const m = FRONT_MATTER.exec(text);
  if (m) {
    body = text.slice(m[0].length);
    for (const line of m[1]!.split(/\r?\n/)) {
      const kv = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/.exec(line);
      if (kv) frontMatter[kv[1]!.toLowerCase()] = unquote(kv[2]!.trim());
    }
  }
  const h1 = /^#[ \t]+(.+?)[ \t]*#*[ \t]*$/m.exec(stripFences(body));
  const title = frontMatter.title || h1?.[1]?.trim() || undefined;
  return { title, frontMatter, body };
}

function unquote(v: string): string {
  return /^(['"]).*\1$/.test(v) ? v.slice(1, -1) : v;
}

/** Blanks fenced code so headings inside code are not mistaken for sections. */
function stripFences(text: string): string {
  return text.replace(/^(```|~~~)[\s\S]*?^\1/gm, (block) => block.replace(/[^\n]/g, " "));
}

interface Block {
  text: string;
  code: boolean;
}

/** Splits a section body into paragraphs and whole fenced code blocks. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split(/\r?\n/);
  let buf: string[] = [];
  const flush = () => {
    const t = buf.join("\n").trim();
    if (t) out.push({ text: t, code: false });
    buf = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flush();
      const code = [line];
      for (i++; i < lines.length; i++) {
        code.push(lines[i]!);
        if (lines[i]!.trim().startsWith(fence[1]!)) break;
      }
      out.push({ text: code.join("\n"), code: true });
    } else if (line.trim() === "") {
      flush();
    } else {
      buf.push(line);
    }
  }
  flush();
  return out;
}

/** Splits one oversized paragraph between sentences (never inside a word). */
function splitParagraph(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const sentences = text.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [text];
  const out: string[] = [];
  let cur = "";
  for (const s of sentences) {
    if (cur && cur.length + s.length > maxChars) {
      out.push(cur.trim());
      cur = "";
    }
    if (s.length > maxChars) {
      // A single very long "sentence": cut at the last space before the cap.
      let rest = s;
      while (rest.length > maxChars) {
        const at = rest.lastIndexOf(" ", maxChars);
        const cut = at > maxChars / 2 ? at : maxChars;
        out.push(rest.slice(0, cut).trim());
        rest = rest.slice(cut);
      }
      cur = rest;
    } else {
      cur += s;
    }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Packs blocks into pieces of at most maxChars; a code block stays whole even if it is bigger. */
function pack(section: Block[], maxChars: number): string[] {
  const pieces: string[] = [];
  let cur: string[] = [];
  let size = 0;
  const flush = () => {
    if (cur.length) pieces.push(cur.join("\n\n"));
    cur = [];
    size = 0;
  };
  for (const b of section) {
    const parts = b.code ? [b.text] : splitParagraph(b.text, maxChars);
    for (const p of parts) {
      if (size && size + p.length + 2 > maxChars) flush();
      cur.push(p);
      size += p.length + 2;
    }
  }
  flush();
  return pieces;
}

/** Chunks a Markdown body by headings (ATX `#`..`######`), ignoring `#` lines inside code fences. */
export function chunkMarkdown(body: string, options: ChunkOptions = {}): Chunk[] {
  const maxChars = options.maxChars ?? 1200;
  const masked = stripFences(body);
  const headingRe = /^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/gm;
  const sections: { level: number; heading?: string; start: number; bodyStart: number }[] = [
    { level: 0, start: 0, bodyStart: 0 },
  ];
  for (let m = headingRe.exec(masked); m; m = headingRe.exec(masked)) {
    sections.push({
      level: m[1]!.length,
      heading: m[2]!.trim(),
      start: m.index,
      bodyStart: m.index + m[0].length,
    });
  }
  const chunks: Chunk[] = [];
  const stack: { level: number; heading: string }[] = [];
  let pendingEmpty: string[] | undefined;
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    const end = i + 1 < sections.length ? sections[i + 1]!.start : body.length;
    if (s.heading !== undefined) {
      while (stack.length && stack.at(-1)!.level >= s.level) stack.pop();
      stack.push({ level: s.level, heading: s.heading });
    }
    const path = stack.map((h) => h.heading);
    const text = body.slice(s.bodyStart, end);
    const section = blocks(text);
    if (!section.length) {
      pendingEmpty = path;
      continue;
    }
    pendingEmpty = undefined;
    for (const piece of pack(section, maxChars)) {
      chunks.push({ ord: chunks.length, headingPath: path, content: piece });
    }
  }
  // A document that is only headings still deserves one chunk, so it can be found by its title.
  if (!chunks.length && pendingEmpty) chunks.push({ ord: 0, headingPath: pendingEmpty, content: "" });
  return chunks;
}
