// Every table, one file per capability. drizzle-kit reads this file to generate migrations.
export * from "./auth.ts";
export * from "./github.ts";
export * from "./incidents.ts";
export * from "./monitors.ts";
export * from "./notifications.ts";
export * from "./predictions.ts";
export * from "./rag.ts";
export * from "./retraining.ts";
export * from "./schemas.ts";
export * from "./traces.ts";
