import { expect, it } from "vitest";
import { recordOccurrence } from "../../src/incidents/record.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

interface Listed {
  kind: string;
  severity: string;
  status: string;
}
type Counts = { counts: Array<Listed & { count: number }> };

describeEachDatabase("incident counts: GET /api/v1/incidents/counts", (db) => {
  const t = useApp(db);
  const other = useApp(db, { project: "someone-else" });
  const get = async <T>(ctx: typeof t, path: string): Promise<T> => {
    const res = await ctx.request(path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  /** Every incident through the list API, tallied here per kind, severity and status. */
  const tally = async (statuses: string[]) => {
    const n = new Map<string, number>();
    for (const status of statuses) {
      const { incidents } = await get<{ incidents: Listed[] }>(
        t,
        `/api/v1/incidents?status=${status}&limit=500`,
      );
      for (const i of incidents) {
        const key = `${i.kind}/${i.severity}/${i.status}`;
        n.set(key, (n.get(key) ?? 0) + 1);
      }
    }
    return [...n].sort(([a], [b]) => a.localeCompare(b));
  };
  const asTally = (c: Counts) =>
    c.counts
      .map((r) => [`${r.kind}/${r.severity}/${r.status}`, r.count] as [string, number])
      .sort(([a], [b]) => a.localeCompare(b));

  it("counts per kind, severity and status what the list pages hold, of the key's project only", async () => {
    const kinds = ["exception", "alert", "drift", "schema"] as const;
    const severities = ["critical", "error", "warning", "info"] as const;
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const recorded = await recordOccurrence(db.database.db, {
        projectId: t.projectId,
        kind: kinds[i % 4]!,
        fingerprint: `fp-${i}`,
        title: `incident ${i}`,
        severity: severities[(i * 7) % 4]!,
      });
      ids.push(recorded.id);
    }
    // A repeat is the same incident, not another one.
    await recordOccurrence(db.database.db, {
      projectId: t.projectId,
      kind: "exception",
      fingerprint: "fp-0",
      title: "incident 0",
    });
    await recordOccurrence(db.database.db, {
      projectId: other.projectId,
      kind: "alert",
      fingerprint: "elsewhere",
      title: "not ours",
    });
    for (const id of ids.slice(0, 5))
      expect((await t.post(`/api/v1/incidents/${id}/acknowledge`, {})).status).toBe(200);
    for (const id of ids.slice(3, 9))
      expect((await t.post(`/api/v1/incidents/${id}/resolve`, {})).status).toBe(200);

    const all = await get<Counts>(t, "/api/v1/incidents/counts");
    expect(asTally(all)).toEqual(await tally(["open", "acknowledged", "resolved"]));
    expect(all.counts.reduce((n, r) => n + r.count, 0)).toBe(23);
    const active = await get<Counts>(t, "/api/v1/incidents/counts?status=open,acknowledged");
    expect(asTally(active)).toEqual(await tally(["open", "acknowledged"]));
    expect(active.counts.reduce((n, r) => n + r.count, 0)).toBe(23 - 6);
    const mine = await get<Counts>(other, "/api/v1/incidents/counts");
    expect(mine.counts).toEqual([{ kind: "alert", severity: "error", status: "open", count: 1 }]);
  });

  it("an unknown status is a 400", async () => {
    for (const q of ["status=open,closed", "status=", "status=OPEN"]) {
      const res = await t.request(`/api/v1/incidents/counts?${q}`);
      if (q === "status=") expect(res.status, q).toBe(200);
      else expect(res.status, q).toBe(400);
    }
  });
});
