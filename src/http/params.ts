import { z } from "@hono/zod-openapi";

/** `{id}` in a route's path: a uuid, so a malformed one is a 400 before any query runs. */
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
