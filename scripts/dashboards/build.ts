// Writes the Grafana dashboards (npm run dashboards:build); test/dashboards/generated.test.ts fails
// when the committed files differ from what this produces.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUTPUT_DIR, renderDashboards } from "./index.ts";

const root = join(import.meta.dirname, "../..");
const dir = join(root, OUTPUT_DIR);
mkdirSync(dir, { recursive: true });
const files = renderDashboards();
for (const old of readdirSync(dir)) if (old.endsWith(".json") && !files.has(old)) rmSync(join(dir, old));
for (const [name, text] of files) writeFileSync(join(dir, name), text);
console.log(`dashboards: wrote ${files.size} files to ${OUTPUT_DIR}/`);
