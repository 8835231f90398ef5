import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ApiError, errorBody } from "../errors.ts";
import { type ConcurrencyLimitOptions, concurrencyLimit } from "./concurrency-limit.ts";

/** A route behind the limit whose requests each run until the test releases them by id. */
function limitedApp(options: ConcurrencyLimitOptions) {
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const app = new Hono();
  // What src/app.ts does with an ApiError, reduced to what these tests look at.
  app.onError((error, c) => {
    if (!(error instanceof ApiError)) return c.json(errorBody("internal", String(error)), 500);
    const headers = error.retryAfter === undefined ? undefined : { "retry-after": String(error.retryAfter) };
    return c.json(errorBody(error.code, error.message), error.status, headers);
  });
  app.get("/work/:id", concurrencyLimit(options), async (c) => {
    const id = c.req.param("id");
    started.push(id);
    if (id.startsWith("fail")) throw new Error("handler failed");
    await new Promise<void>((resolve) => releases.set(id, resolve));
    return c.text(id);
  });
  const send = (id: string) => app.request(`/work/${id}`);
  const release = async (id: string) => {
    await until(() => releases.has(id));
    releases.get(id)!();
  };
  return { started, send, release };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
async function until(done: () => boolean) {
  for (let i = 0; i < 100 && !done(); i++) await tick();
  if (!done()) throw new Error("timed out");
}

describe("concurrencyLimit", () => {
  it("runs up to the limit, queues a few, refuses the rest with 429 + Retry-After", async () => {
    const t = limitedApp({ max: 1, queue: 1, retryAfter: 1 });
    const first = t.send("first");
    const second = t.send("queued");
    await tick();
    const refused = await t.send("refused");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toEqual(errorBody("too_many_requests", "Vigil is busy; retry later"));
    // One running, one waiting (its handler has not started), the third never ran.
    expect(t.started).toEqual(["first"]);

    await t.release("first");
    expect(await (await first).text()).toBe("first");
    await t.release("queued");
    expect(await (await second).text()).toBe("queued");
    expect(t.started).toEqual(["first", "queued"]);

    // Every place was given back: the same load is accepted again, and the same excess refused.
    const again = [t.send("a"), t.send("b")];
    await tick();
    expect((await t.send("c")).status).toBe(429);
    await t.release("a");
    await t.release("b");
    expect(await Promise.all(again.map(async (r) => (await r).status))).toEqual([200, 200]);
  });

  it("serves the queue in arrival order; message and Retry-After are the caller's", async () => {
    const t = limitedApp({ max: 1, queue: 2, retryAfter: 7, message: "busy ingesting" });
    const sent = ["one", "two", "three"].map((id) => t.send(id));
    await tick();
    const refused = await t.send("four");
    expect(refused.headers.get("retry-after")).toBe("7");
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe("busy ingesting");
    for (const id of ["one", "two", "three"]) await t.release(id);
    await Promise.all(sent);
    expect(t.started).toEqual(["one", "two", "three"]);
  });

  it("a handler that fails gives its place back", async () => {
    const t = limitedApp({ max: 1, queue: 0, retryAfter: 1 });
    expect((await t.send("fail-1")).status).toBe(500);
    expect((await t.send("fail-2")).status).toBe(500);
    const ok = t.send("ok");
    await t.release("ok");
    expect((await ok).status).toBe(200);
  });
});
