import { createRequire } from "node:module";

/** The package version, read once from package.json so it is written in one place. */
export const VERSION: string = createRequire(import.meta.url)("../package.json").version;
