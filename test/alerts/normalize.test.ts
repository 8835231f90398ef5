import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AlertmanagerPayload, fromAlertmanager } from "../../src/alerts/alertmanager.ts";
import { fromGeneric, GenericAlert, genericDedupKey } from "../../src/alerts/generic.ts";
import { fromGrafana, GrafanaPayload } from "../../src/alerts/grafana.ts";
import { severityFrom } from "../../src/alerts/severity.ts";
import { alertTitle, labelsFingerprint, parseEndsAt, parseStartsAt } from "../../src/alerts/signal.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"));

describe("alert normalisation", () => {
  it("Grafana's documented webhook payload parses and yields one signal per alert", () => {
    const payload = GrafanaPayload.parse(fixture("grafana-webhook-firing.json"));
    const signals = fromGrafana(payload);
    expect(signals.map((s) => s.fingerprint)).toEqual([
      "grafana:1:c6eadffa33fcdf37",
      "grafana:1:bc97ff14869b13e3",
    ]);
    expect(signals[0]).toMatchObject({
      status: "firing",
      title: "High memory usage: This alert was triggered for zone us-1",
      source: "grafana",
      severity: "warning",
      labels: { alertname: "High memory usage", team: "blue", zone: "us-1" },
    });
    expect(signals[0]!.evidence).toEqual({
      alert: {
        source: "grafana",
        fingerprint: "c6eadffa33fcdf37",
        generatorURL: "https://play.grafana.org/alerting/1afz29v7z/edit",
        silenceURL:
          "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1",
        runbookURL: "https://myrunbook.com/runbook/1234",
      },
    });
    expect(signals[0]!.sample).toMatchObject({ values: { B: 44.23943737541908, C: 1 }, orgId: 1 });
  });

  it("a resolved Grafana alert carries its end time; the zero time means 'not ended'", () => {
    const signals = fromGrafana(GrafanaPayload.parse(fixture("grafana-webhook-one-resolved.json")));
    expect(signals[0]!.status).toBe("resolved");
    expect(signals[0]!.endsAt?.toISOString()).toBe("2021-10-12T08:21:03.157Z");
    expect(signals[1]!.endsAt).toBeUndefined();
    expect(parseEndsAt("0001-01-01T00:00:00Z")).toBeUndefined();
    expect(parseEndsAt("garbage")).toBeUndefined();
  });

  it("startsAt: the sender's start when sane, else undefined (the receipt time stands in)", () => {
    const now = new Date("2026-06-01T12:00:00Z");
    expect(parseStartsAt("2026-06-01T09:00:00+02:00", now)?.toISOString()).toBe("2026-06-01T07:00:00.000Z");
    expect(parseStartsAt("0001-01-01T00:00:00Z", now)).toBeUndefined();
    expect(parseStartsAt(undefined, now)).toBeUndefined();
    expect(parseStartsAt("soon", now)).toBeUndefined();
    expect(parseStartsAt("1960-01-01T00:00:00Z", now)).toBeUndefined();
    // A clock a little ahead: clamped to now; far ahead: not believed.
    expect(parseStartsAt("2026-06-01T12:02:00Z", now)?.toISOString()).toBe(now.toISOString());
    expect(parseStartsAt("2026-06-01T12:10:00Z", now)).toBeUndefined();
    const signals = fromGrafana(GrafanaPayload.parse(fixture("grafana-webhook-firing.json")), now);
    expect(signals.map((s) => s.startsAt?.toISOString())).toEqual([
      "2021-10-12T07:51:03.157Z",
      "2021-10-12T07:56:03.157Z",
    ]);
  });

  it("Alertmanager alerts without a fingerprint get a stable label hash", () => {
    const base = {
      version: "4",
      status: "firing",
      receiver: "vigil",
      groupKey: "{}:{}",
      alerts: [
        { status: "firing", labels: { alertname: "Down", job: "api", severity: "page" }, annotations: {} },
      ],
    };
    const a = fromAlertmanager(AlertmanagerPayload.parse(base))[0]!;
    const reordered = {
      ...base,
      alerts: [{ ...base.alerts[0]!, labels: { severity: "page", job: "api", alertname: "Down" } }],
    };
    const b = fromAlertmanager(AlertmanagerPayload.parse(reordered))[0]!;
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).toMatch(/^alertmanager:[0-9a-f]{16}$/);
    expect(a.severity).toBe("critical");
    expect(a.title).toBe("Down");
  });

  it("rejects payloads that are not Alertmanager's shape", () => {
    expect(AlertmanagerPayload.safeParse({ status: "firing" }).success).toBe(false);
    expect(AlertmanagerPayload.safeParse({ status: "weird", alerts: [] }).success).toBe(false);
  });

  it("severity aliases map to Vigil's four levels, unknown values fall back", () => {
    expect(severityFrom("CRITICAL")).toBe("critical");
    expect(severityFrom("page")).toBe("critical");
    expect(severityFrom("high")).toBe("error");
    expect(severityFrom("warn")).toBe("warning");
    expect(severityFrom("low")).toBe("info");
    expect(severityFrom("whatever")).toBe("warning");
    expect(severityFrom(undefined, "error")).toBe("error");
  });

  it("generic alerts: explicit dedupKey wins; otherwise the key depends on source, title and labels only", () => {
    const alert = GenericAlert.parse({
      title: "Queue backlog",
      severity: "error",
      source: "batch",
      status: "firing",
    });
    expect(fromGeneric({ ...alert, dedupKey: "k1" }).fingerprint).toBe("generic:k1");
    const k = genericDedupKey(alert);
    expect(genericDedupKey({ ...alert, description: "different text" })).toBe(k);
    expect(genericDedupKey({ ...alert, labels: { a: "1", b: "2" } })).toBe(
      genericDedupKey({ ...alert, labels: { b: "2", a: "1" } }),
    );
    expect(genericDedupKey({ ...alert, title: "Other" })).not.toBe(k);
  });

  it("titles: alertname and summary", () => {
    expect(alertTitle({ alertname: "A" }, { summary: "s" })).toBe("A: s");
    expect(alertTitle({}, {})).toBe("Alert");
    expect(labelsFingerprint({ a: "1" })).not.toBe(labelsFingerprint({ a: "2" }));
  });
});
