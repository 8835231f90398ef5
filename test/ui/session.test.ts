import { expect, it } from "vitest";
import { safeNext } from "../../src/ui/session.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const ORIGIN = "http://vigil.test";

it("after sign-in a browser returns only to a local path", () => {
  expect(safeNext("/incidents?status=open")).toBe("/incidents?status=open");
  expect(safeNext("//evil.example/x")).toBe("/");
  expect(safeNext("/\\evil.example")).toBe("/");
  expect(safeNext("https://evil.example/")).toBe("/");
  expect(safeNext(undefined)).toBe("/");
});

describeEachDatabase("UI sign-in, session and CSRF", (db) => {
  const t = useApp(db);
  const form = (body: Record<string, string>, origin = ORIGIN) =>
    t.app.request(`${ORIGIN}/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams(body),
    });
  const cookieOf = (res: Response) => res.headers.get("set-cookie")?.split(";")[0] ?? "";

  it("a page without a session goes to sign-in and comes back after it", async () => {
    const res = await t.app.request(`${ORIGIN}/incidents?status=open`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?next=%2Fincidents%3Fstatus%3Dopen");
    const page = await t.app.request(`${ORIGIN}/sign-in?next=%2Fincidents`);
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('name="key"');
    expect(html).toContain('value="/incidents"');
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
  });

  it("a wrong key is refused; a right one sets an httpOnly SameSite=Strict cookie", async () => {
    const wrong = await form({ key: "vgl_nope", next: "/" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("not accepted");
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const ok = await form({ key: t.key, next: "/traces" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/traces");
    const setCookie = ok.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);

    const overview = await t.app.request(`${ORIGIN}/`, { headers: { cookie: cookieOf(ok) } });
    expect(overview.status).toBe(200);
    const html = await overview.text();
    expect(html).toContain("Project <strong>test</strong>");
    expect(html).toContain('aria-current="page"');
    expect(html).not.toMatch(/<script>/);
  });

  it("a POST from another origin is refused (CSRF), sign-out clears the cookie", async () => {
    const ok = await form({ key: t.key });
    const cookie = cookieOf(ok);
    const forged = await t.app.request(`${ORIGIN}/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://evil.example", cookie },
    });
    expect(forged.status).toBe(403);
    const out = await t.app.request(`${ORIGIN}/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, cookie },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/vigil_key=;.*Max-Age=0/);
  });

  it("the UI's CSRF check stays off the API: a form-encoded API call without Origin is the API's to answer", async () => {
    const res = await t.app.request(`${ORIGIN}/api/v1/alerts/generic`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "text/plain" },
      body: "not json",
    });
    expect(res.status).not.toBe(403);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).not.toBe("forbidden");
  });

  it("a cookie with a key that is no longer valid signs the browser out", async () => {
    const res = await t.app.request(`${ORIGIN}/`, { headers: { cookie: "vigil_key=vgl_revoked" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?next=%2F");
    expect(res.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("serves the stylesheet, the island and uPlot from the package", async () => {
    for (const [name, type] of [
      ["style.css", "text/css"],
      ["app.js", "text/javascript"],
      ["uPlot.iife.min.js", "text/javascript"],
      ["uPlot.min.css", "text/css"],
    ]) {
      const res = await t.app.request(`${ORIGIN}/ui/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get("content-type"), name).toContain(type);
      expect((await res.arrayBuffer()).byteLength, name).toBeGreaterThan(500);
    }
    expect((await t.app.request(`${ORIGIN}/ui/assets/..%2Fapi.ts`)).status).toBe(404);
  });
});
