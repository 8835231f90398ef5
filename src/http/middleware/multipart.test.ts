import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ApiError, errorBody } from "../errors.ts";
import { type FileSink, fileField, type MultipartEnv, multipart, textField } from "./multipart.ts";

const BOUNDARY = "test-boundary";
const headers = { "content-type": `multipart/form-data; boundary=${BOUNDARY}` };
const enc = new TextEncoder();

interface Part {
  name: string;
  filename?: string;
  body: string;
}

const partHead = (p: Omit<Part, "body">) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"` +
  `${p.filename ? `; filename="${p.filename}"` : ""}\r\n\r\n`;

function form(parts: Part[]): Uint8Array {
  return enc.encode(parts.map((p) => `${partHead(p)}${p.body}\r\n`).join("") + `--${BOUNDARY}--\r\n`);
}

/** A file field's sink that keeps what it got, and how. */
class Recorder implements FileSink {
  static opened: Recorder[] = [];
  chunks: Uint8Array[] = [];
  ended = false;
  constructor(
    readonly filename: string | undefined,
    readonly failOn?: string,
  ) {
    Recorder.opened.push(this);
  }
  write(chunk: Uint8Array): void {
    if (this.failOn && new TextDecoder().decode(chunk).includes(this.failOn))
      throw new ApiError(422, "bad_file", "the file says no");
    this.chunks.push(chunk);
  }
  end(): void {
    this.ended = true;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

const LIMIT = 64 * 1024;

function testApp() {
  const fields = {
    data: fileField((p) => new Recorder(p.filename, "FAIL")),
    note: textField(16),
  };
  const app = new Hono<MultipartEnv<typeof fields>>();
  app.post("/upload", multipart({ fields, limit: LIMIT, limitName: "TEST_LIMIT" }), async (c) => {
    const body = c.var.multipart;
    if (!body) return c.json({ passedThrough: await c.req.text() });
    return c.json({
      fields: Object.keys(body).sort(),
      data: body.data && { text: body.data.text(), writes: body.data.chunks.length, ended: body.data.ended },
      note: body.note,
    });
  });
  app.onError((e, c) =>
    e instanceof ApiError
      ? c.json(errorBody(e.code, e.message, e.details), e.status)
      : c.json(errorBody("internal", String(e)), 500),
  );
  return app;
}

/** A request body that yields `pieces` one by one as the server asks, counting how many it pulled. */
function pulled(pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>) {
  const it = Symbol.asyncIterator in pieces ? pieces[Symbol.asyncIterator]() : pieces[Symbol.iterator]();
  const stats = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        stats.pulls++;
        const next = await it.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        stats.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}

function* slices(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

const post = (app: Hono<never>, body: RequestInit["body"], extra: Record<string, string> = {}) =>
  app.request("/upload", {
    method: "POST",
    headers: { ...headers, ...extra },
    body,
    duplex: "half",
  } as RequestInit);

type Answer = {
  fields: string[];
  data?: { text: string; writes: number; ended: boolean };
  note?: string;
  error?: { code: string; message: string };
};

describe("multipart()", () => {
  const app = testApp() as unknown as Hono<never>;

  it("streams a file field to its sink chunk by chunk, before the body has ended", async () => {
    const file = "x".repeat(20_000);
    const whole = form([
      { name: "note", body: "hello" },
      { name: "data", filename: "d.csv", body: file },
    ]);
    const closing = enc.encode(`\r\n--${BOUNDARY}--\r\n`);
    const received = () => Recorder.opened.at(-1)?.chunks.reduce((n, c) => n + c.length, 0) ?? 0;
    let beforeClosing = 0;
    async function* watched() {
      yield* slices(whole.subarray(0, whole.length - closing.length), 4096);
      // Hold back the end of the form until the sink has the file (busboy keeps back at most a
      // boundary's length), or give up after a second.
      for (let waited = 0; received() < file.length - 100 && waited < 1000; waited += 10)
        await new Promise((r) => setTimeout(r, 10));
      beforeClosing = received();
      yield closing;
    }
    const { stream } = pulled(watched());
    const res = await post(app, stream);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    expect(body.fields).toEqual(["data", "note"]);
    expect(body.note).toBe("hello");
    expect(body.data).toEqual({ text: file, writes: expect.any(Number), ended: true });
    expect(body.data!.writes).toBeGreaterThan(1);
    expect(beforeClosing).toBeGreaterThanOrEqual(file.length - 100);
  });

  it("a file field sent without a filename still streams to its sink", async () => {
    const res = await post(app, form([{ name: "data", body: "a,b\n1,2\n" }]));
    expect(((await res.json()) as Answer).data).toMatchObject({ text: "a,b\n1,2\n", ended: true });
    expect(Recorder.opened.at(-1)!.filename).toBeUndefined();
  });

  it("parts of undeclared fields are read past and left out", async () => {
    const res = await post(
      app,
      form([
        { name: "other", filename: "o.bin", body: "ignored" },
        { name: "extra", body: "y".repeat(100) },
        { name: "data", filename: "d.csv", body: "kept" },
      ]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    expect(body.fields).toEqual(["data"]);
    expect(body.data!.text).toBe("kept");
  });

  it("a body past the limit while streaming → 413 at once, the rest is not read", async () => {
    const head = enc.encode(partHead({ name: "data", filename: "big.csv" }));
    function* endless() {
      yield head;
      for (;;) yield enc.encode("z".repeat(1000));
    }
    const { stream, stats } = pulled(endless());
    const res = await post(app, stream);
    expect(res.status).toBe(413);
    const body = (await res.json()) as Answer;
    expect(body.error).toEqual({
      code: "payload_too_large",
      message: `Request body exceeds ${LIMIT} bytes (TEST_LIMIT)`,
    });
    expect(stats.pulls).toBeLessThanOrEqual(LIMIT / 1000 + 3);
    expect(stats.cancelled).toBe(true);
  });

  it("a Content-Length past the limit → 413 before reading anything", async () => {
    const opened = Recorder.opened.length;
    const { stream, stats } = pulled(slices(form([{ name: "data", filename: "d", body: "1" }]), 10));
    const res = await post(app, stream, { "content-length": String(LIMIT + 1) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as Answer).error!.code).toBe("payload_too_large");
    expect(stats.pulls).toBe(0);
    expect(Recorder.opened.length).toBe(opened);
  });

  it("a field sent twice → 400", async () => {
    for (const parts of [
      [
        { name: "data", filename: "a", body: "1" },
        { name: "data", filename: "b", body: "2" },
      ],
      [
        { name: "note", body: "a" },
        { name: "note", body: "b" },
      ],
    ]) {
      const res = await post(app, form(parts));
      expect(res.status).toBe(400);
      expect(((await res.json()) as Answer).error).toEqual({
        code: "bad_request",
        message: `Multipart field "${parts[0]!.name}" appears more than once`,
      });
    }
  });

  it("a text field longer than its maxSize → 413", async () => {
    const ok = await post(app, form([{ name: "note", body: "x".repeat(16) }]));
    expect(((await ok.json()) as Answer).note).toHaveLength(16);
    const res = await post(app, form([{ name: "note", body: "x".repeat(17) }]));
    expect(res.status).toBe(413);
    expect(((await res.json()) as Answer).error).toEqual({
      code: "payload_too_large",
      message: 'Multipart field "note" exceeds 16 bytes',
    });
    // Bytes, not characters.
    const wide = await post(app, form([{ name: "note", body: "é".repeat(9) }]));
    expect(wide.status).toBe(413);
  });

  it("a body cut short → 400, in a declared part or an ignored one", async () => {
    for (const name of ["data", "other"]) {
      const cut = enc.encode(`${partHead({ name, filename: "f.csv" })}v\n1\n`);
      const res = await post(app, cut);
      expect(res.status).toBe(400);
      const err = ((await res.json()) as Answer).error!;
      expect(err.code).toBe("bad_request");
      expect(err.message).toMatch(/^Malformed multipart body/);
    }
  });

  it("no boundary, or no body → 400", async () => {
    const res = await app.request("/upload", {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "x",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Answer).error!.message).toMatch(/Boundary not found/);
    const empty = await app.request("/upload", { method: "POST", headers });
    expect(empty.status).toBe(400);
  });

  it("a sink's error fails the request and the sink gets nothing more", async () => {
    const { stream, stats } = pulled(
      slices(
        form([{ name: "data", filename: "d", body: `${"a".repeat(5000)}FAIL${"b".repeat(50_000)}` }]),
        1024,
      ),
    );
    const res = await post(app, stream);
    expect(res.status).toBe(422);
    expect(((await res.json()) as Answer).error!.code).toBe("bad_file");
    expect(Recorder.opened.at(-1)!.text()).not.toContain("b");
    expect(stats.pulls).toBeLessThan(20);
  });

  it("other bodies pass through unread", async () => {
    const res = await app.request("/upload", {
      method: "POST",
      headers: { "content-type": "text/plain", "content-length": String(LIMIT * 2) },
      body: "z".repeat(LIMIT * 2),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { passedThrough: string }).passedThrough).toHaveLength(LIMIT * 2);
  });

  it("the service stays up: after every failure above, an upload still works", async () => {
    const res = await post(app, form([{ name: "data", filename: "d", body: "still here" }]));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Answer).data!.text).toBe("still here");
  });
});
