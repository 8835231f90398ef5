import { describe, expect, it } from "vitest";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";

// biome-ignore lint/suspicious/noExplicitAny: test bodies
type Json = Record<string, any>;

// A monitor's `inputs` make its model a lineage node: end to end over HTTP, from the monitor to the
// impact of a breaking schema change and its incident.
describeEachDatabase("monitor inputs → model lineage", (db) => {
  const t = useApp(db, { project: "monitor-inputs" });
  const get = async (path: string) => {
    const res = await t.request(path);
    return { status: res.status, body: (await res.json()) as Json };
  };
  const send = async (method: string, path: string, body: unknown) => {
    const res = await t.request(path, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const monitor = (name: string, model: string, inputs?: unknown) => ({
    name,
    model,
    reference: { kind: "version", version: "v1" },
    ...(inputs ? { inputs } : {}),
  });
  const modelInputs = async (model: string) => (await get(`/api/v1/models/${model}/inputs`)).body.inputs;
  const impactOn = async (dataset: string, fields: string) =>
    ((await get(`/api/v1/datasets/${dataset}/impact?fields=${fields}`)).body.impacted as Json[]).map(
      (n) => `${n.kind}:${n.name}`,
    );

  const customersV1 = {
    fields: [
      { name: "id", type: "bigint", nullable: false },
      { name: "tenure_months", type: "int", nullable: true },
      { name: "plan", type: "text", nullable: true },
      { name: "email", type: "text", nullable: true },
    ],
  };

  describe("a breaking change reaches the model a monitor declared", () => {
    let monitorId = "";
    it("create stores the inputs and declares them as the model's", async () => {
      const created = await send(
        "POST",
        "/api/v1/monitors",
        monitor("churn-drift", "churn", [{ dataset: "customers", fields: ["tenure_months", "plan"] }]),
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      monitorId = created.body.id;
      expect(created.body.inputs).toEqual([{ dataset: "customers", fields: ["tenure_months", "plan"] }]);
      expect((await get(`/api/v1/monitors/${monitorId}`)).body.inputs).toEqual(created.body.inputs);
      expect(await modelInputs("churn")).toEqual([
        { dataset: "customers", namespace: "default", fields: ["plan", "tenure_months"] },
      ]);
    });

    it("snapshot v1, then a v2 without `plan`: impact and incident list the model", async () => {
      expect((await send("POST", "/api/v1/datasets/customers/schema", customersV1)).status).toBe(201);
      const v2 = { fields: customersV1.fields.filter((f) => f.name !== "plan") };
      const posted = await send("POST", "/api/v1/datasets/customers/schema", v2);
      expect(posted.status).toBe(201);
      expect(posted.body).toMatchObject({ version: 2, breaking: true });
      expect(posted.body.incident).toBeDefined();

      expect(await impactOn("customers", "plan")).toEqual(["model:churn"]);
      // email is not among the monitor's sources.
      expect(await impactOn("customers", "email")).toEqual([]);

      const { incident } = (await get(`/api/v1/incidents/${posted.body.incident.id}`)).body;
      expect(incident.kind).toBe("schema");
      expect(incident.severity).toBe("critical"); // a model reads the broken field
      expect(incident.sample.impacted).toEqual([
        expect.objectContaining({ kind: "model", namespace: "default", name: "churn" }),
      ]);
    });

    it("updating the monitor without inputs withdraws them", async () => {
      const put = await send("PUT", `/api/v1/monitors/${monitorId}`, monitor("churn-drift", "churn"));
      expect(put.status).toBe(200);
      expect(put.body.inputs).toBeUndefined();
      expect(await modelInputs("churn")).toEqual([]);
      expect(await impactOn("customers", "plan")).toEqual([]);
    });
  });

  describe("several declarers of one model add up", () => {
    it("two monitors and the PUT route: the model reads the union; each withdraws only its part", async () => {
      const a = await send(
        "POST",
        "/api/v1/monitors",
        monitor("ltv-a", "ltv", [{ dataset: "orders", fields: ["amount"] }]),
      );
      const b = await send(
        "POST",
        "/api/v1/monitors",
        monitor("ltv-b", "ltv", [
          { dataset: "orders", fields: ["currency"] },
          { dataset: "events", namespace: "kafka://bus" },
        ]),
      );
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(
        (
          await send("PUT", "/api/v1/models/ltv/inputs", {
            inputs: [{ dataset: "refunds", fields: ["amount"] }],
          })
        ).status,
      ).toBe(200);
      expect(await modelInputs("ltv")).toEqual([
        { dataset: "orders", namespace: "default", fields: ["amount", "currency"] },
        { dataset: "refunds", namespace: "default", fields: ["amount"] },
        { dataset: "events", namespace: "kafka://bus", fields: [] },
      ]);
      // Each declarer's part stays visible.
      const declarations = (await get("/api/v1/models/ltv/inputs")).body.declarations as Json[];
      expect(declarations.map((d) => [d.declaredBy, d.inputs.map((i: Json) => i.dataset)])).toEqual(
        [
          ["api", ["refunds"]],
          [`monitor:${a.body.id}`, ["orders"]],
          [`monitor:${b.body.id}`, ["orders", "events"]],
        ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
      );

      // Monitor b moves to another model: ltv keeps a's and the route's, `basket` gets b's.
      const moved = await send(
        "PUT",
        `/api/v1/monitors/${b.body.id}`,
        monitor("ltv-b", "basket", [{ dataset: "orders", fields: ["currency"] }]),
      );
      expect(moved.status).toBe(200);
      expect(await modelInputs("ltv")).toEqual([
        { dataset: "orders", namespace: "default", fields: ["amount"] },
        { dataset: "refunds", namespace: "default", fields: ["amount"] },
      ]);
      expect(await modelInputs("basket")).toEqual([
        { dataset: "orders", namespace: "default", fields: ["currency"] },
      ]);

      // Deleting monitor a leaves the route's declaration.
      expect((await t.request(`/api/v1/monitors/${a.body.id}`, { method: "DELETE" })).status).toBe(204);
      expect(await modelInputs("ltv")).toEqual([
        { dataset: "refunds", namespace: "default", fields: ["amount"] },
      ]);
      // The route replaces only its own part.
      await send("PUT", "/api/v1/models/basket/inputs", { inputs: [{ dataset: "carts" }] });
      await send("PUT", "/api/v1/models/basket/inputs", { inputs: [] });
      expect(await modelInputs("basket")).toEqual([
        { dataset: "orders", namespace: "default", fields: ["currency"] },
      ]);
      expect(await impactOn("orders", "currency")).toEqual(["model:basket"]);
    });
  });

  it("monitors of one model created at the same time all count", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        send(
          "POST",
          "/api/v1/monitors",
          monitor(`fraud-${i}`, "fraud", [{ dataset: "payments", fields: [`f${i}`] }]),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(await modelInputs("fraud")).toEqual([
      { dataset: "payments", namespace: "default", fields: ["f0", "f1", "f2", "f3", "f4", "f5"] },
    ]);
  });

  it("bad inputs → 400", async () => {
    const noDataset = await send("POST", "/api/v1/monitors", monitor("bad-1", "m", [{ fields: ["a"] }]));
    expect(noDataset.status).toBe(400);
    const extraKey = await send(
      "POST",
      "/api/v1/monitors",
      monitor("bad-2", "m", [{ dataset: "d", field: "a" }]),
    );
    expect(extraKey.status).toBe(400);
    expect(JSON.stringify(extraKey.body)).toMatch(/field/);
    expect((await get("/api/v1/monitors")).body.monitors.map((m: Json) => m.name)).not.toContain("bad-1");
  });
});
