import type { IncidentStatus } from "./model.ts";

export const statusActions = ["acknowledge", "resolve", "reopen"] as const;
export type StatusAction = (typeof statusActions)[number];

export type Transition =
  | { next: IncidentStatus; changed: boolean; event: "acknowledged" | "resolved" | "reopened" }
  | { conflict: string };

const EVENT = { acknowledge: "acknowledged", resolve: "resolved", reopen: "reopened" } as const;

/**
 * What a person's status action does. Repeating an action is a no-op (safe to retry);
 * acknowledging a resolved incident or reopening an open one is a conflict, since it means the
 * caller is looking at a stale state.
 */
export function transition(current: IncidentStatus, action: StatusAction): Transition {
  const event = EVENT[action];
  switch (action) {
    case "acknowledge":
      if (current === "resolved")
        return { conflict: "a resolved incident cannot be acknowledged; reopen it first" };
      return { next: "acknowledged", changed: current !== "acknowledged", event };
    case "resolve":
      return { next: "resolved", changed: current !== "resolved", event };
    case "reopen":
      if (current !== "resolved") return { conflict: `the incident is ${current}, not resolved` };
      return { next: "open", changed: true, event };
  }
}
