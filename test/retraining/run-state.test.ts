import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advance,
  dispatchIdsIn,
  type Heard,
  type RunState,
  refusesRunDetails,
  runStatus,
} from "../../src/retraining/run-state.ts";

const heard = (status: Heard["status"], attempt = 1, conclusion: string | null = null): Heard => ({
  status,
  attempt,
  conclusion,
});
const state = (
  status: RunState["status"],
  attempt: number | null = 1,
  conclusion: string | null = null,
): RunState => ({
  status,
  attempt,
  conclusion,
});

/** Applies notices in order, as the tracker does. */
function replay(start: RunState, notices: Heard[]): RunState {
  let s = start;
  for (const n of notices) {
    const step = advance(s, n);
    if (step.changed) s = step.next;
  }
  return s;
}

describe("run state", () => {
  it("maps GitHub's statuses: pending and waiting runs are queued", () => {
    expect(["requested", "queued", "pending", "waiting", "in_progress", "completed"].map(runStatus)).toEqual([
      "requested",
      "queued",
      "queued",
      "queued",
      "in_progress",
      "completed",
    ]);
  });

  it("moves requested → queued → in_progress → completed, and says how it ended", () => {
    let s = state("requested", null);
    for (const [status, finished] of [
      ["queued", undefined],
      ["in_progress", undefined],
    ] as const) {
      const step = advance(s, heard(status));
      expect(step).toMatchObject({ changed: true, next: { status } });
      expect(step.changed && step.finished).toBe(finished);
      if (step.changed) s = step.next;
    }
    expect(advance(s, heard("completed", 1, "success"))).toMatchObject({
      changed: true,
      finished: "success",
    });
    for (const conclusion of ["failure", "cancelled", "timed_out", "startup_failure", "action_required"])
      expect(advance(s, heard("completed", 1, conclusion)), conclusion).toMatchObject({
        finished: "failure",
      });
  });

  it("never steps back, and a duplicate changes nothing", () => {
    expect(advance(state("completed", 1, "success"), heard("in_progress"))).toEqual({
      changed: false,
      why: "earlier or same state",
    });
    expect(advance(state("in_progress"), heard("in_progress"))).toMatchObject({ changed: false });
    expect(advance(state("completed", 1, "failure"), heard("completed", 1, "success"))).toMatchObject({
      changed: false,
    });
  });

  it("a re-run (higher attempt) starts over; an earlier attempt's news is ignored", () => {
    const rerun = advance(state("completed", 1, "failure"), heard("queued", 2));
    expect(rerun).toEqual({ changed: true, next: state("queued", 2, null) });
    expect(advance(state("queued", 2), heard("completed", 1, "failure"))).toEqual({
      changed: false,
      why: "earlier attempt",
    });
  });

  it("pending and failed dispatches take any news of the run; a skipped record takes none", () => {
    expect(advance(state("pending", null), heard("queued"))).toMatchObject({ changed: true });
    expect(advance(state("failed", null), heard("in_progress"))).toMatchObject({ changed: true });
    expect(advance(state("skipped", null), heard("completed", 1, "success"))).toEqual({
      changed: false,
      why: "skipped record",
    });
  });

  it("ends in the same state whatever order and however often the notices arrive", () => {
    const notice = fc.record({
      status: fc.constantFrom("requested", "queued", "in_progress", "completed" as const),
      attempt: fc.integer({ min: 1, max: 3 }),
    });
    // One conclusion per attempt, as GitHub gives.
    const notices = fc
      .array(notice, { minLength: 1, maxLength: 12 })
      .map((ns) =>
        ns.map((n) => heard(n.status, n.attempt, n.status === "completed" ? `c${n.attempt}` : null)),
      );
    fc.assert(
      fc.property(
        notices.chain((all) =>
          fc.tuple(fc.constant(all), fc.shuffledSubarray(all, { minLength: all.length })),
        ),
        ([all, shuffled]) => {
          const a = replay(state("requested", null), all);
          const b = replay(state("requested", null), [...shuffled, ...shuffled.slice(0, 3)]);
          expect(b).toEqual(a);
          // The outcome is the latest attempt's furthest state.
          const top = Math.max(...all.map((n) => n.attempt));
          const rank = ["requested", "queued", "in_progress", "completed"];
          const furthest = all
            .filter((n) => n.attempt === top)
            .reduce((x, y) => (rank.indexOf(y.status) > rank.indexOf(x.status) ? y : x));
          expect(a.attempt ?? 1).toBe(top);
          expect(a.status).toBe(furthest.status);
          expect(a.conclusion).toBe(furthest.conclusion);
        },
      ),
    );
  });

  it("finds dispatch ids in a run-name", () => {
    const id = "3f2b8c1e-6a4d-4e1f-9b7a-2c5d8e9f0a1b";
    expect(dispatchIdsIn(`Retrain churn (vigil ${id.toUpperCase()})`)).toEqual([id]);
    expect(dispatchIdsIn("Retrain churn")).toEqual([]);
  });

  it("tells a refused return_run_details from a refused dispatch", () => {
    expect(
      refusesRunDetails(
        422,
        { message: 'Invalid request.\n\n"return_run_details" is not a permitted key.' },
        "",
      ),
    ).toBe(true);
    expect(refusesRunDetails(400, undefined, "Unknown parameter return_run_details")).toBe(true);
    expect(refusesRunDetails(422, { message: 'Unexpected inputs provided: ["x"]' }, "")).toBe(false);
    expect(refusesRunDetails(404, { message: "return_run_details" }, "")).toBe(false);
  });
});
