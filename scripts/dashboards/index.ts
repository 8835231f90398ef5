import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { dataQuality } from "./data-quality.ts";
import { drift } from "./drift.ts";
import { incidents } from "./incidents.ts";
import { retraining } from "./retraining.ts";
import { serviceHealth } from "./service-health.ts";
import { vigilItself } from "./vigil.ts";

/** Where the generated dashboards are committed, relative to the repository root. */
export const OUTPUT_DIR = "dashboards/grafana";

const builders = {
  "service-health": serviceHealth,
  drift,
  incidents,
  "data-quality": dataQuality,
  retraining,
  vigil: vigilItself,
};

/** Every dashboard as the JSON text committed in dashboards/grafana/<name>.json. */
export function renderDashboards(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, build] of Object.entries(builders)) {
    const model: dashboard.Dashboard = build().build();
    // Stable panel ids: Grafana keys panel links (viewPanel=…) and library state by them.
    model.panels?.forEach((panel, i) => {
      panel.id = i + 1;
    });
    out.set(`${name}.json`, `${JSON.stringify(model, null, 2)}\n`);
  }
  return out;
}
