import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DecisionFacts, decideDispatch } from "../../src/retraining/decide.ts";

const now = new Date("2026-03-01T12:00:00Z");
const policy = { enabled: true, on: ["drift"] as ("drift" | "performance")[], cooldownSeconds: 3600 };
const facts = (over: Partial<DecisionFacts> = {}): DecisionFacts => ({
  trigger: "drift",
  policy,
  inFlight: null,
  lastDispatchedAt: null,
  force: false,
  now,
  ...over,
});
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("the dispatch decision", () => {
  it("a drifted report with a free slot and no recent run looks the installation up, then dispatches", () => {
    expect(decideDispatch(facts())).toEqual({ action: "lookup_installation", forced: false });
    expect(decideDispatch(facts({ installationId: 77 }))).toEqual({
      action: "dispatch",
      installationId: 77,
      forced: false,
    });
  });

  it("no installation for the repository is a skip that says where to install the App", () => {
    const d = decideDispatch(facts({ installationId: null, repo: "acme/churn" }));
    expect(d).toMatchObject({ action: "skip", reason: "no_installation" });
    expect(d.action === "skip" && d.message).toContain("acme/churn");
  });

  it("policy off: none, disabled, invalid, or not retraining on what drifted", () => {
    expect(decideDispatch(facts({ policy: null }))).toMatchObject({ reason: "policy_off" });
    expect(decideDispatch(facts({ policy: { ...policy, enabled: false } }))).toMatchObject({
      reason: "policy_off",
      message: expect.stringContaining("disabled"),
    });
    expect(decideDispatch(facts({ policy: { invalid: "repo: owner/name" } }))).toMatchObject({
      reason: "policy_off",
      message: expect.stringContaining("repo: owner/name"),
    });
    const perf = decideDispatch(facts({ trigger: "performance", drifted: ["performance"] }));
    expect(perf).toMatchObject({
      reason: "policy_off",
      message: expect.stringContaining("not on performance"),
    });
    // Both drifted and the policy retrains on either: dispatch.
    expect(
      decideDispatch(
        facts({
          trigger: "drift",
          drifted: ["drift", "performance"],
          policy: { ...policy, on: ["performance"] },
        }),
      ),
    ).toMatchObject({ action: "lookup_installation" });
    // A person's request does not depend on `on`.
    expect(decideDispatch(facts({ trigger: "manual", policy: { ...policy, on: [] } }))).toMatchObject({
      action: "lookup_installation",
    });
  });

  it("a run in flight blocks every trigger, forced or not", () => {
    const inFlight = { id: "r1", status: "in_progress" };
    for (const trigger of ["drift", "performance", "manual"] as const) {
      const d = decideDispatch(facts({ trigger, drifted: ["drift", "performance"], inFlight, force: true }));
      expect(d, trigger).toMatchObject({ action: "skip", reason: "in_flight" });
      expect(d.action === "skip" && d.message).toContain("r1 of this model is in progress");
    }
  });

  it("cooldown: inside it a skip until its end; a manual force passes it and says so; at its end it is over", () => {
    const d = decideDispatch(facts({ lastDispatchedAt: ago(600) }));
    expect(d).toMatchObject({
      action: "skip",
      reason: "cooldown",
      until: new Date(now.getTime() + 3000 * 1000),
    });
    // force from a drifted report means nothing; only a person forces.
    expect(decideDispatch(facts({ lastDispatchedAt: ago(600), force: true }))).toMatchObject({
      reason: "cooldown",
    });
    const manual = decideDispatch(facts({ trigger: "manual", lastDispatchedAt: ago(600) }));
    expect(manual.action === "skip" && manual.message).toContain("force: true");
    expect(decideDispatch(facts({ trigger: "manual", lastDispatchedAt: ago(600), force: true }))).toEqual({
      action: "lookup_installation",
      forced: true,
    });
    expect(decideDispatch(facts({ lastDispatchedAt: ago(3600) }))).toMatchObject({
      action: "lookup_installation",
    });
    // A force outside the cooldown forces nothing.
    expect(decideDispatch(facts({ trigger: "manual", lastDispatchedAt: ago(7200), force: true }))).toEqual({
      action: "lookup_installation",
      forced: false,
    });
  });

  it("never dispatches beside a run in flight, inside an unforced cooldown, or without a policy that allows it", () => {
    fc.assert(
      fc.property(
        fc.record({
          trigger: fc.constantFrom("drift", "performance", "manual" as const),
          enabled: fc.boolean(),
          on: fc.subarray(["drift", "performance"] as const),
          cooldownSeconds: fc.integer({ min: 0, max: 86_400 }),
          inFlight: fc.boolean(),
          lastAgo: fc.option(fc.integer({ min: 0, max: 200_000 })),
          force: fc.boolean(),
          installationId: fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: undefined }),
        }),
        (x) => {
          const d = decideDispatch({
            trigger: x.trigger,
            policy: { enabled: x.enabled, on: [...x.on], cooldownSeconds: x.cooldownSeconds },
            inFlight: x.inFlight ? { id: "r", status: "queued" } : null,
            lastDispatchedAt: x.lastAgo === null ? null : ago(x.lastAgo),
            force: x.force,
            now,
            ...(x.installationId !== undefined ? { installationId: x.installationId } : {}),
          });
          if (d.action !== "dispatch") return;
          expect(x.inFlight).toBe(false);
          expect(x.enabled).toBe(true);
          expect(x.installationId).toEqual(expect.any(Number));
          if (x.trigger !== "manual") expect(x.on).toContain(x.trigger);
          const inCooldown = x.lastAgo !== null && x.lastAgo < x.cooldownSeconds;
          if (inCooldown) expect(x.trigger === "manual" && x.force && d.forced).toBe(true);
        },
      ),
    );
  });
});
