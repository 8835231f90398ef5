import { createHash } from "node:crypto";
import { type Frame, parseStack, type StackFormat } from "./stack.ts";

/** How many frames decide the group: enough to tell call sites apart, few enough to survive refactors. */
const TOP_FRAMES = 3;

export interface ExceptionInfo {
  type: string;
  message: string;
  stacktrace: string;
  service?: string;
}

export interface Fingerprinted {
  fingerprint: string;
  /** What the fingerprint was made of, for people reading the incident. */
  basis: { type: string; frames: string[] } | { type: string; message: string };
  format: StackFormat;
  frames: Frame[];
}

/**
 * Groups exceptions: same type + same top frames (normalised: no paths, line numbers or memory
 * addresses; application frames before library frames) → same fingerprint. Without a parsable
 * stack, the type plus the message with numbers and ids masked. The service is part of it: the
 * same library error in two services is two problems to own.
 */
export function fingerprintException(e: ExceptionInfo): Fingerprinted {
  const type = e.type.trim() || exceptionTypeFromStack(e.stacktrace) || "Error";
  const { format, frames } = parseStack(e.stacktrace);
  const ranked = [...frames.filter((f) => f.inApp), ...frames.filter((f) => !f.inApp)];
  const top = ranked.slice(0, TOP_FRAMES).map(normaliseFrame);
  const basis = top.length ? { type, frames: top } : { type, message: maskMessage(e.message) };
  const hash = createHash("sha256")
    .update(JSON.stringify({ service: e.service ?? "", ...basis }))
    .digest("hex")
    .slice(0, 32);
  return { fingerprint: hash, basis, format, frames };
}

/** "fn @ file" with the directory, line, column and generated parts removed. */
export function normaliseFrame(f: Frame): string {
  const file = (f.file.split(/[\\/]/).pop() ?? f.file).replace(/\?.*$/, "").replace(/:\d+(:\d+)?$/, "");
  const fn = f.function
    .replace(/0x[0-9a-f]+/gi, "") // memory addresses (e.g. Java lambdas' /0x000…)
    .replace(/\$\$Lambda\$?\d*\/?\d*/g, "$$$$Lambda") // generated lambda class numbers
    .replace(/\$\d+/g, "$$") // anonymous classes: Foo$1 → Foo$
    .replace(/<anonymous>|\bObject\.<anonymous>/g, "<anon>")
    .replace(/\/+$/, "");
  return `${fn} @ ${file}`;
}

/** Numbers, hex, UUIDs, quoted values and emails masked, so ids in messages do not split groups. */
export function maskMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>")
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/g, "<email>")
    .replace(/\b0x[0-9a-f]+\b/gi, "<hex>")
    .replace(/\b[0-9a-f]{12,}\b/gi, "<hex>")
    .replace(/'[^']*'|"[^"]*"/g, "<str>")
    .replace(/\d+(\.\d+)?/g, "<n>")
    .trim();
}

/** "TypeError: boom" as the first line of a JS stack, "ValueError: …" as a Python traceback's last. */
function exceptionTypeFromStack(stack: string): string | undefined {
  const lines = stack.split("\n").filter((l) => l.trim());
  for (const line of [lines[0], lines.at(-1)]) {
    const m = /^([A-Za-z_$][\w$.]*(?:Error|Exception|Warning|Throwable)[\w$]*)(?::|$)/.exec(
      line?.trim() ?? "",
    );
    if (m) return m[1];
  }
  return undefined;
}
