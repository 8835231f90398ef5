// A prediction prepare thread's entry (prepare-pool.ts): plain JavaScript, so Node starts it as is;
// it loads the TypeScript worker through tsx, as bin/vigil.js does for the main thread.
import { register } from "tsx/esm/api";

register();
await import("./prepare-worker.ts");
