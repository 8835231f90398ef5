import { expect, it } from "vitest";
import { recordOccurrence, resolveByFingerprint } from "../../src/incidents/record.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

type Page = {
  incidents: Array<{ id: string; count: number; status: string; sample: object; latest: object }>;
  nextCursor: string | null;
};

describeEachDatabase("incidents", (db) => {
  const t = useApp(db);

  it("same fingerprint → one incident; count, last_seen and latest sample move, first sample stays", async () => {
    const base = {
      projectId: t.projectId,
      kind: "exception" as const,
      fingerprint: "fp-1",
      title: "TypeError: x",
    };
    const first = await recordOccurrence(db.database.db, {
      ...base,
      at: new Date("2026-01-01T00:00:00Z"),
      sample: { n: 1 },
    });
    expect(first.created).toBe(true);
    const again = await Promise.all(
      [2, 3, 4].map((n) =>
        recordOccurrence(db.database.db, { ...base, at: new Date(`2026-01-0${n}T00:00:00Z`), sample: { n } }),
      ),
    );
    expect(again.every((r) => !r.created && r.id === first.id)).toBe(true);
    const res = await t.request(`/api/v1/incidents/${first.id}`);
    const body = (await res.json()) as {
      incident: { count: number; firstSeen: string; lastSeen: string; sample: object };
      events: { type: string }[];
    };
    expect(body.incident.count).toBe(4);
    expect(body.incident.firstSeen).toBe("2026-01-01T00:00:00.000Z");
    expect(body.incident.lastSeen).toBe("2026-01-04T00:00:00.000Z");
    expect(body.incident.sample).toEqual({ n: 1 });
    expect(body.events.map((e) => e.type)).toEqual(["opened"]);
  });

  it("resolve, then a recurrence reopens with a timeline entry", async () => {
    const o = {
      projectId: t.projectId,
      kind: "alert" as const,
      fingerprint: "fp-alert",
      title: "High latency",
    };
    const { id } = await recordOccurrence(db.database.db, o);
    expect(await resolveByFingerprint(db.database.db, t.projectId, "alert", "fp-alert")).toBe(id);
    expect(await resolveByFingerprint(db.database.db, t.projectId, "alert", "fp-alert")).toBeUndefined();
    const back = await recordOccurrence(db.database.db, o);
    expect(back.reopened).toBe(true);
    const body = (await (await t.request(`/api/v1/incidents/${id}`)).json()) as {
      incident: { status: string; resolvedAt: null };
      events: { type: string }[];
    };
    expect(body.incident.status).toBe("open");
    expect(body.incident.resolvedAt).toBeNull();
    expect(body.events.map((e) => e.type)).toEqual(["opened", "resolved", "reopened"]);
  });

  it("firstSeen earlier than `at` dates the incident and its opened event; later ones are ignored", async () => {
    const base = { projectId: t.projectId, kind: "alert" as const, title: "Disk full" };
    const at = new Date("2026-05-01T12:00:00Z");
    const early = await recordOccurrence(db.database.db, {
      ...base,
      fingerprint: "fp-started-earlier",
      at,
      firstSeen: new Date("2026-05-01T09:30:00Z"),
    });
    const late = await recordOccurrence(db.database.db, {
      ...base,
      fingerprint: "fp-start-after-receipt",
      at,
      firstSeen: new Date("2026-05-01T13:00:00Z"),
    });
    type Detail = {
      incident: { firstSeen: string; lastSeen: string };
      events: { type: string; at: string }[];
    };
    const a = (await (await t.request(`/api/v1/incidents/${early.id}`)).json()) as Detail;
    expect(a.incident).toMatchObject({ firstSeen: "2026-05-01T09:30:00.000Z", lastSeen: at.toISOString() });
    expect(a.events).toMatchObject([{ type: "opened", at: "2026-05-01T09:30:00.000Z" }]);
    const b = (await (await t.request(`/api/v1/incidents/${late.id}`)).json()) as Detail;
    expect(b.incident.firstSeen).toBe(at.toISOString());
    // A later occurrence that knows an even earlier start moves first_seen back, never forward.
    await recordOccurrence(db.database.db, {
      ...base,
      fingerprint: "fp-started-earlier",
      at: new Date("2026-05-01T12:05:00Z"),
      firstSeen: new Date("2026-05-01T10:00:00Z"),
    });
    const c = (await (await t.request(`/api/v1/incidents/${early.id}`)).json()) as Detail;
    expect(c.incident.firstSeen).toBe("2026-05-01T09:30:00.000Z");
  });

  it("lists with filters and keyset pages, never another project's rows", async () => {
    for (let i = 0; i < 5; i++) {
      await recordOccurrence(db.database.db, {
        projectId: t.projectId,
        kind: "drift",
        fingerprint: `drift-${i}`,
        title: `drift ${i}`,
        at: new Date(Date.UTC(2026, 1, 1, i)),
      });
    }
    const other = await t.deps.database.execute<{ id: string }>(
      "insert into projects (name) values ('elsewhere') returning id",
    );
    await recordOccurrence(db.database.db, {
      projectId: other[0]!.id,
      kind: "drift",
      fingerprint: "x",
      title: "not yours",
    });

    const page1 = (await (await t.request("/api/v1/incidents?kind=drift&limit=3")).json()) as Page;
    expect(page1.incidents).toHaveLength(3);
    const page2 = (await (
      await t.request(`/api/v1/incidents?kind=drift&limit=3&cursor=${page1.nextCursor}`)
    ).json()) as Page;
    expect(page2.incidents).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    const titles = [...page1.incidents, ...page2.incidents].map(
      (i) => (i as unknown as { title: string }).title,
    );
    expect(titles).toEqual(["drift 4", "drift 3", "drift 2", "drift 1", "drift 0"]);

    expect((await t.request("/api/v1/incidents?kind=nope")).status).toBe(400);
    expect((await t.request("/api/v1/incidents?cursor=garbage")).status).toBe(400);
    expect((await t.request("/api/v1/incidents/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await t.request("/api/v1/incidents/not-a-uuid")).status).toBe(400);
  });
});
