import { describe, expect, it } from "vitest";
import { Gate } from "../../src/traces/gate.ts";

describe("gate", () => {
  it("runs up to the limit, queues a few, refuses the rest with 429 + Retry-After", async () => {
    const gate = new Gate(1, 1);
    let release!: () => void;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const first = gate.run(() => blocked);
    const second = gate.run(async () => "queued");
    await expect(gate.run(async () => "refused")).rejects.toMatchObject({ status: 429, retryAfter: 1 });
    expect(gate.load).toEqual({ active: 1, waiting: 1 });
    release();
    await first;
    expect(await second).toBe("queued");
    expect(gate.load).toEqual({ active: 0, waiting: 0 });
  });
});
