/**
 * Whether to dispatch a retraining run: pure, from what the service gathered. Asked twice: once
 * when a trigger arrives (policy, the model's run in flight, the cooldown), then, once the
 * repository's installation has been looked up on GitHub, with it.
 */
import type { RetrainingTrigger, SkipReason } from "./model.ts";

export interface DecisionFacts {
  trigger: RetrainingTrigger;
  /** For a drifted report: what drifted (the policy's `on` picks which dispatch). */
  drifted?: ("drift" | "performance")[];
  /** The monitor's policy; `invalid` when the stored one no longer validates (with why). */
  policy:
    | { enabled: boolean; on: ("drift" | "performance")[]; cooldownSeconds: number }
    | { invalid: string }
    | null;
  /** Another run of the model holding the one slot. */
  inFlight: { id: string; status: string } | null;
  /** When the model's last run was dispatched to GitHub (skips and failed dispatches do not count). */
  lastDispatchedAt: Date | null;
  force: boolean;
  now: Date;
  /** The repository's installation of the App: undefined before it is looked up, null when there is none. */
  installationId?: number | null;
  repo?: string;
}

export type Decision =
  | { action: "dispatch"; installationId: number; forced: boolean }
  | { action: "lookup_installation"; forced: boolean }
  | { action: "skip"; reason: SkipReason; message: string; until?: Date };

export function decideDispatch(f: DecisionFacts): Decision {
  if (!f.policy) return { action: "skip", reason: "policy_off", message: "The monitor has no retrainPolicy" };
  if ("invalid" in f.policy)
    return {
      action: "skip",
      reason: "policy_off",
      message: `The monitor's retrainPolicy is not valid any more: ${f.policy.invalid}`,
    };
  if (!f.policy.enabled)
    return {
      action: "skip",
      reason: "policy_off",
      message: "The retrainPolicy is disabled (enabled: false)",
    };
  if (f.trigger !== "manual") {
    const on = f.policy.on;
    const drifted = f.drifted ?? [f.trigger];
    if (!drifted.some((d) => on.includes(d)))
      return {
        action: "skip",
        reason: "policy_off",
        message: `The retrainPolicy retrains on ${on.join(" and ") || "nothing"}, not on ${drifted.join(" and ")}`,
      };
  }
  if (f.inFlight)
    return {
      action: "skip",
      reason: "in_flight",
      message: `Retraining run ${f.inFlight.id} of this model is ${f.inFlight.status.replace("_", " ")}: one at a time`,
    };
  let forced = false;
  if (f.lastDispatchedAt) {
    const until = new Date(f.lastDispatchedAt.getTime() + f.policy.cooldownSeconds * 1000);
    if (until > f.now) {
      if (!(f.force && f.trigger === "manual"))
        return {
          action: "skip",
          reason: "cooldown",
          message: `The last run was dispatched at ${f.lastDispatchedAt.toISOString()}; the cooldown of ${f.policy.cooldownSeconds} s lasts until ${until.toISOString()}${f.trigger === "manual" ? " (force: true dispatches anyway)" : ""}`,
          until,
        };
      forced = true;
    }
  }
  if (f.installationId === undefined) return { action: "lookup_installation", forced };
  if (f.installationId === null)
    return {
      action: "skip",
      reason: "no_installation",
      message: `Vigil's GitHub App is not installed on ${f.repo ?? "the repository"} (or cannot see it): install it there with actions: write`,
    };
  return { action: "dispatch", installationId: f.installationId, forced };
}
