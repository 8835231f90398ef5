/**
 * The layer rules of docs/architecture.md, checked by `npm run lint` (depcruise src).
 *
 *   composition roots  src/main.ts, src/cli.ts, src/app.ts, src/workers.ts — may import anything
 *          ↓
 *   capabilities       src/<capability>/ — each may import the public modules of the capabilities
 *                      listed for it below, and the shared layers
 *          ↓
 *   shared layers      src/http, src/db, src/jobs (the queue), src/telemetry, src/lib, src/config.ts,
 *                      src/deps.ts, src/version.ts — import no capability and no root
 */

/** Which capabilities each capability may call. A DAG: no capability reaches back to itself. */
const uses = {
  auth: [],
  incidents: [],
  notifications: ["incidents"],
  alerts: ["incidents"],
  schemas: ["incidents"],
  predictions: ["schemas", "incidents"],
  drift: ["predictions", "schemas", "incidents"],
  traces: ["predictions", "incidents"],
  rag: ["incidents"],
  github: ["schemas", "predictions", "incidents"],
  retraining: ["github", "drift", "incidents"],
  ui: ["drift"],
  // The demo plays a story through the public HTTP API only: it calls no capability.
  demo: [],
};

/**
 * The modules of a capability that other capabilities may import: small, named for what they
 * hold. Everything else (stores, routes, jobs, CLI, internals) is private to the capability.
 */
const publicModules = {
  incidents: ["record", "model", "read", "documents", "events"],
  schemas: ["model-input", "lineage", "contracts/rules", "contracts/model", "contracts/read", "check"],
  predictions: ["from-spans", "ingest", "model", "evaluate"],
  github: ["app", "workflow-runs"],
  drift: ["monitors/events", "monitors/read", "monitors/reference", "stats/index"],
};

const capabilities = Object.keys(uses);
const ROOTS = "^src/(main|cli|app|workers)\\.ts$";
const SHARED = "^src/(http|db|jobs|telemetry|lib)/|^src/(config|deps|version)\\.ts$";
const any = (names) => `^src/(${names.join("|")})/`;

const capabilityRules = capabilities.flatMap((cap) => {
  const others = capabilities.filter((c) => c !== cap && !uses[cap].includes(c));
  const rules = [];
  if (others.length) {
    rules.push({
      name: `${cap}-uses-only-${uses[cap].join("-") || "shared-layers"}`,
      comment: `${cap} may call ${uses[cap].join(", ") || "no other capability"} (docs/architecture.md)`,
      severity: "error",
      from: { path: `^src/${cap}/` },
      to: { path: any(others) },
    });
  }
  return rules;
});

const publicRules = capabilities.map((cap) => ({
  name: `${cap}-public-modules-only`,
  comment: `other capabilities import only ${cap}'s public modules: ${(publicModules[cap] ?? []).join(", ") || "none"}`,
  severity: "error",
  from: { path: "^src/", pathNot: [`^src/${cap}/`, ROOTS] },
  to: {
    path: `^src/${cap}/`,
    pathNot: publicModules[cap]?.length ? `^src/${cap}/(${publicModules[cap].join("|")})\\.ts$` : undefined,
  },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "a module cycle makes load order matter and layers meaningless",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "shared-layers-import-no-capability",
      comment: "http, db, jobs, telemetry, lib and config sit below every capability",
      severity: "error",
      from: { path: SHARED },
      to: { path: [any(capabilities), ROOTS] },
    },
    {
      name: "capabilities-import-no-root",
      comment: "main, cli, app and workers compose the capabilities; nothing composes them",
      severity: "error",
      from: { path: any(capabilities) },
      to: { path: ROOTS },
    },
    {
      name: "drift-stats-through-its-index",
      comment: "the statistics engine has one door, src/drift/stats/index.ts",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/drift/stats/" },
      to: { path: "^src/drift/stats/", pathNot: "^src/drift/stats/index\\.ts$" },
    },
    ...capabilityRules,
    ...publicRules,
    {
      name: "no-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["\\.proto$", "\\.test\\.ts$"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".mjs", ".js"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
