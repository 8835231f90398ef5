import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .openapi("Error");

/** A JSON response for a route's OpenAPI definition. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const error = (description: string) => json(ErrorSchema, description);

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const ErrorResponses = {
  400: error("Invalid request"),
  401: error("Missing or invalid API key"),
  404: error("Not found"),
} as const;
