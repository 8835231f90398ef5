/**
 * Stack trace parsers for the three formats OpenTelemetry SDKs put in `exception.stacktrace`:
 * V8 (Node.js/browsers), Python tracebacks and Java (JVM) traces. Pure; tolerant — lines that are
 * not frames are skipped. Frames come back innermost first (where the exception was raised).
 */

export interface Frame {
  function: string;
  /** Path or module as written in the trace. */
  file: string;
  line?: number;
  column?: number;
  /** False for frames from dependencies or the runtime (node_modules, site-packages, java.*). */
  inApp: boolean;
}

export type StackFormat = "javascript" | "python" | "java" | "unknown";

export function detectFormat(stack: string): StackFormat {
  if (/^Traceback \(most recent call last\):/m.test(stack) || /^\s*File "[^"]+", line \d+/m.test(stack)) {
    return "python";
  }
  if (
    /^\s+at [\w$.<>/]+\([^)]*\)\s*$/m.test(stack) &&
    /\.java:\d+\)|\(Native Method\)|\(Unknown Source\)/.test(stack)
  ) {
    return "java";
  }
  if (/^\s+at .+:\d+:\d+\)?\s*$/m.test(stack) || /^\s+at [^\s]+ \(native\)/m.test(stack)) return "javascript";
  return "unknown";
}

export function parseStack(stack: string): { format: StackFormat; frames: Frame[] } {
  const format = detectFormat(stack);
  const frames =
    format === "python"
      ? parsePython(stack)
      : format === "java"
        ? parseJava(stack)
        : format === "javascript"
          ? parseJavaScript(stack)
          : [];
  return { format, frames };
}

// ---- V8: "    at fn (file:line:col)", "    at file:line:col", "    at async fn (...)", "at new X (...)"
const V8_CALL = /^\s*at (?:async )?(?:new )?(.*?) \((.*?)(?::(\d+))?(?::(\d+))?\)\s*$/;
const V8_BARE = /^\s*at (?:async )?(.*?)(?::(\d+))?(?::(\d+))?\s*$/;

export function parseJavaScript(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split("\n")) {
    if (!/^\s*at /.test(line)) continue;
    const call = V8_CALL.exec(line);
    let fn: string;
    let file: string;
    let ln: string | undefined;
    let col: string | undefined;
    if (call) {
      [, fn = "", file = "", ln, col] = call;
    } else {
      const bare = V8_BARE.exec(line);
      if (!bare) continue;
      fn = "<anonymous>";
      [, file = "", ln, col] = bare;
    }
    file = file.replace(/^file:\/\//, "");
    frames.push({
      function: fn || "<anonymous>",
      file,
      ...(ln ? { line: Number(ln) } : {}),
      ...(col ? { column: Number(col) } : {}),
      inApp: !/node_modules[\\/]|^node:|^internal[\\/]|^native$|^<anonymous>$/.test(file),
    });
  }
  return frames;
}

// ---- Python: '  File "path", line N, in func' (outermost first, so reversed). With chained
// exceptions ("During handling of the above exception…") the last traceback is the one raised.
const PY_FRAME = /^\s*File "(.+?)", line (\d+)(?:, in (.+))?\s*$/;

export function parsePython(stack: string): Frame[] {
  const blocks = stack.split(/^Traceback \(most recent call last\):\s*$/m);
  const last = blocks.length > 1 ? blocks.at(-1)! : stack;
  const frames: Frame[] = [];
  for (const line of last.split("\n")) {
    const m = PY_FRAME.exec(line);
    if (!m) continue;
    const file = m[1]!;
    frames.push({
      function: m[3] ?? "<module>",
      file,
      line: Number(m[2]),
      inApp: !/[\\/](site|dist)-packages[\\/]|^<frozen |[\\/]lib[\\/]python\d+(\.\d+)?[\\/]/.test(file),
    });
  }
  return frames.reverse();
}

// ---- Java: "\tat pkg.Class.method(File.java:123)"; "Caused by:" blocks follow the outer one.
// The outer exception's frames are what was thrown to the caller, so those are used.
const JAVA_FRAME = /^\s*at (?:[\w.$-]+\/)*([\w$.<>]+)\.([\w$<>]+)\(([^)]*)\)\s*$/;
const JAVA_LIBRARY =
  /^(java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.junit|org\.springframework|io\.netty|org\.apache)\./;

export function parseJava(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split("\n")) {
    if (/^\s*Caused by:/.test(line)) break;
    const m = JAVA_FRAME.exec(line);
    if (!m) continue;
    const [, cls = "", method = "", where = ""] = m;
    const loc = /^(.*?):(\d+)$/.exec(where);
    frames.push({
      function: `${cls}.${method}`,
      file: loc ? loc[1]! : where,
      ...(loc ? { line: Number(loc[2]) } : {}),
      inApp: !JAVA_LIBRARY.test(cls),
    });
  }
  return frames;
}
