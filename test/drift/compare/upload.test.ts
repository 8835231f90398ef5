/**
 * Streamed multipart uploads on POST /api/v1/drift/compare: bodies past the app's global
 * VIGIL_BODY_LIMIT are accepted there, VIGIL_UPLOAD_LIMIT is enforced with and without a
 * Content-Length, and the columns parsed from a stream equal those parsed from the whole text.
 */
import { beforeAll, expect, it } from "vitest";
import { parseCsv } from "../../../src/drift/compare/input.ts";
import { driftRoutes } from "../../../src/drift/compare/routes.ts";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import { compareDatasets } from "../../../src/drift/stats/index.ts";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";

const PATH = "/api/v1/drift/compare";
const BOUNDARY = "vigil-test-boundary";

interface ErrorResponse {
  error: { code: string; message: string };
}

/** A CSV of `rows` rows: a numeric column, a categorical one, with some missing values. */
function csv(rows: number, seed: number, loc: number): string {
  const x = generateSample({ dist: "normal", n: rows, seed, loc });
  const lines = ["x,kind"];
  for (let i = 0; i < rows; i++) lines.push(`${i % 97 === 0 ? "NA" : x[i]},${i % 3 ? "a" : "b"}`);
  return `${lines.join("\n")}\n`;
}

/** A multipart body as raw bytes, so tests control chunking and Content-Length themselves. */
function multipart(parts: { name: string; filename?: string; type?: string; body: string }[]): Uint8Array {
  let out = "";
  for (const p of parts) {
    out += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename) out += `; filename="${p.filename}"`;
    out += `\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n${p.body}\r\n`;
  }
  return new TextEncoder().encode(`${out}--${BOUNDARY}--\r\n`);
}

/** The bytes as a stream of odd-sized chunks and no Content-Length (chunked transfer). */
function chunked(bytes: Uint8Array, size = 65_537): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream({
    pull(controller) {
      if (pos >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(pos, pos + size));
      pos += size;
    },
  });
}

const multipartHeaders = { "content-type": `multipart/form-data; boundary=${BOUNDARY}` };

// Stateless route: one database kind is enough.
describeEachDatabase(
  "drift compare uploads (streamed, own size limit)",
  (db) => {
    // A 1 MiB global limit and a 6 MiB upload limit keep the bodies small enough for a test.
    const t = useApp(db, { env: { VIGIL_BODY_LIMIT: "1mb", VIGIL_UPLOAD_LIMIT: "6mb" } });
    beforeAll(() => {
      if (!t.app.routes.some((r) => r.path === PATH)) t.app.route("/", driftRoutes(t.deps));
    });

    const refCsv = csv(60_000, 11, 0);
    const curCsv = csv(60_000, 12, 0.2);

    it("a multipart upload above VIGIL_BODY_LIMIT streams in and matches the in-memory engine", async () => {
      const body = multipart([
        { name: "options", body: JSON.stringify({ columns: { x: { test: "ks" } } }) },
        { name: "reference", filename: "ref.csv", type: "text/csv", body: refCsv },
        { name: "current", filename: "cur.csv", body: curCsv },
      ]);
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
      for (const stream of [false, true]) {
        const res = await t.request(PATH, {
          method: "POST",
          headers: stream ? multipartHeaders : { ...multipartHeaders, "content-length": String(body.length) },
          body: stream ? chunked(body) : body,
          ...(stream ? { duplex: "half" } : {}),
        } as RequestInit);
        expect(res.status).toBe(200);
        const expected = compareDatasets(parseCsv(refCsv), parseCsv(curCsv), {
          columns: { x: { test: "ks" } },
        });
        expect(await res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    });

    it("the global limit still guards other paths", async () => {
      const res = await t.request("/api/v1/anything", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }),
      });
      expect(res.status).toBe(413);
    });

    it("VIGIL_UPLOAD_LIMIT → 413, by Content-Length and while streaming without one", async () => {
      const big = multipart([
        { name: "reference", filename: "r.csv", body: refCsv + refCsv.slice(7).repeat(4) },
        { name: "current", filename: "c.csv", body: curCsv },
      ]);
      expect(big.length).toBeGreaterThan(6 * 1024 * 1024);
      const declared = await t.request(PATH, {
        method: "POST",
        headers: { ...multipartHeaders, "content-length": String(big.length) },
        body: big,
      });
      expect(declared.status).toBe(413);
      const streamed = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: chunked(big),
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as ErrorResponse).error.code).toBe("payload_too_large");
      // JSON bodies on this path are held to a limit too (VIGIL_BODY_LIMIT: the next test).
      const json = await t.request(PATH, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunked(new TextEncoder().encode(`{"reference":{"a":[${"1,".repeat(4_000_000)}1]}}`)),
        duplex: "half",
      } as RequestInit);
      expect(json.status).toBe(413);
    });

    it("a JSON dataset is parsed whole, so it gets VIGIL_BODY_LIMIT, as a body or as a file part", async () => {
      // 2 MB: over VIGIL_BODY_LIMIT (1 MB), well under VIGIL_UPLOAD_LIMIT (6 MB).
      const values = `[${"1.5,".repeat(500_000)}1]`;
      const body = await t.request(PATH, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"reference":{"a":${values}},"current":{"a":${values}}}`,
      });
      expect(body.status).toBe(413);
      expect(((await body.json()) as ErrorResponse).error.message).toMatch(/VIGIL_BODY_LIMIT.*CSV or NDJSON/);
      const part = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: multipart([
          { name: "reference", filename: "r.json", body: `{"a":${values}}` },
          { name: "current", filename: "c.csv", body: curCsv },
        ]),
      });
      expect(part.status).toBe(413);
      expect(((await part.json()) as ErrorResponse).error.message).toMatch(/JSON dataset is parsed whole/);
      // The same numbers as CSV stream in (the upload limit applies).
      const csv = `a\n${"1.5\n".repeat(500_000)}`;
      const streamed = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: multipart([
          { name: "reference", filename: "r.csv", body: csv },
          { name: "current", filename: "c.csv", body: csv },
        ]),
      });
      expect(streamed.status).toBe(200);
    });

    it("format sniffing without a file name, text fields, duplicates and a broken body", async () => {
      const ndjson = '{"v":1}\n{"v":2}\n{"v":3}\n';
      const sniffed = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: multipart([
          { name: "reference", filename: "blob", body: "v\n1\n2\n3\n" },
          { name: "current", filename: "blob", body: ndjson },
        ]),
      });
      expect(sniffed.status).toBe(200);
      expect(((await sniffed.json()) as { columns: { currentSize: number }[] }).columns[0]!.currentSize).toBe(
        3,
      );

      const asFields = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: multipart([
          { name: "reference", body: "v\n1\n2\n" },
          { name: "current", body: '{"v":[1,5]}' },
        ]),
      });
      expect(asFields.status).toBe(200);

      const twice = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: multipart([
          { name: "reference", filename: "a.csv", body: "v\n1\n" },
          { name: "reference", filename: "b.csv", body: "v\n1\n" },
          { name: "current", filename: "c.csv", body: "v\n1\n" },
        ]),
      });
      expect(twice.status).toBe(400);
      expect(((await twice.json()) as ErrorResponse).error.message).toMatch(/more than once/);

      const truncated = new TextEncoder().encode(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="reference"; filename="r.csv"\r\n\r\nv\n1\n`,
      );
      const broken = await t.request(PATH, { method: "POST", headers: multipartHeaders, body: truncated });
      expect(broken.status).toBe(400);
    });

    it("an options field over 1 MiB → 413; a file part cut short → 400, and uploads go on", async () => {
      const big = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: multipart([
          { name: "options", body: JSON.stringify({ pad: "x".repeat(1024 * 1024) }) },
          { name: "reference", filename: "r.csv", body: "v\n1\n" },
          { name: "current", filename: "c.csv", body: "v\n1\n" },
        ]),
      });
      expect(big.status).toBe(413);
      expect(((await big.json()) as ErrorResponse).error).toEqual({
        code: "payload_too_large",
        message: 'Multipart field "options" exceeds 1048576 bytes',
      });
      // Cut inside a part the route does not read (busboy errors that part's stream too).
      const cut = new TextEncoder().encode(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="extra"; filename="e.bin"\r\n\r\nabc`,
      );
      const broken = await t.request(PATH, { method: "POST", headers: multipartHeaders, body: cut });
      expect(broken.status).toBe(400);
      const ok = await t.request(PATH, {
        method: "POST",
        headers: multipartHeaders,
        body: multipart([
          { name: "reference", filename: "r.csv", body: "v\n1\n2\n" },
          { name: "current", filename: "c.csv", body: "v\n1\n3\n" },
        ]),
      });
      expect(ok.status).toBe(200);
    });

    it("the multipart form stays documented in /openapi.json", async () => {
      const doc = (await (await t.request("/openapi.json")).json()) as {
        paths: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }>;
      };
      const content = doc.paths[PATH]!.post.requestBody.content;
      expect(Object.keys(content).sort()).toEqual(["application/json", "multipart/form-data"]);
    });
  },
  ["pglite"],
);
