/** The two windows a monitor compares, at a given moment (pure). */
import type { Monitor } from "./model.ts";
import type { WindowSource } from "./store.ts";

export interface ResolvedWindows {
  reference: WindowSource;
  current: WindowSource;
  info: {
    reference: { from: string | null; to: string | null };
    current: { from: string | null; to: string | null };
  };
}

/** The two windows of a monitor at `now` (pure). */
export function resolveWindows(projectId: string, m: Monitor, now: Date): ResolvedWindows {
  let reference: WindowSource;
  let refInfo = { from: null as string | null, to: null as string | null };
  switch (m.reference.kind) {
    case "range":
      reference = {
        kind: "predictions",
        projectId,
        model: m.model,
        from: new Date(m.reference.from),
        to: new Date(m.reference.to),
      };
      refInfo = { from: m.reference.from, to: m.reference.to };
      break;
    case "version":
      reference = { kind: "predictions", projectId, model: m.model, version: m.reference.version };
      break;
    case "rows":
      reference = { kind: "reference_rows", monitorId: m.id };
      break;
  }
  let current: WindowSource;
  let curInfo = { from: null as string | null, to: now.toISOString() };
  if (m.current.kind === "window") {
    const from = new Date(now.getTime() - m.current.seconds * 1000);
    current = { kind: "predictions", projectId, model: m.model, from, to: now };
    curInfo = { from: from.toISOString(), to: now.toISOString() };
  } else {
    current = { kind: "predictions", projectId, model: m.model, last: m.current.last, to: now };
  }
  return { reference, current, info: { reference: refInfo, current: curInfo } };
}
