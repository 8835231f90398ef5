// A prepare thread's entry (src/traces/prepare/pool.ts): plain JavaScript, so Node starts it as
// is; it loads the TypeScript worker through tsx, as bin/vigil.js does for the main thread.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
