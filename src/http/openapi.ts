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

/** A required JSON request body for a route's OpenAPI definition: `request: { ...jsonBody(schema) }`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

/** An error response (the API's one error shape), described for the route that gives it. */
export const errorResponse = (description: string) => json(ErrorSchema, description);

/**
 * Every error status the API documents, with a general description. A route lists the ones it
 * gives (`409: ErrorResponses[409]`), or `errorResponse("…")` where it can say more.
 */
export const ErrorResponses = {
  400: errorResponse("Invalid request"),
  401: errorResponse("Missing or invalid API key"),
  404: errorResponse("Not found"),
  409: errorResponse("Conflict with the current state"),
  413: errorResponse("Request body too large"),
  415: errorResponse("Unsupported Content-Type or Content-Encoding"),
  422: errorResponse("Well-formed but not processable"),
  429: errorResponse("Busy; retry after Retry-After seconds"),
  503: errorResponse("Unavailable; retry after Retry-After seconds"),
} as const;

/** The error responses every authenticated route can give: `responses: { 200: …, ...CommonErrorResponses }`. */
export const CommonErrorResponses = {
  400: ErrorResponses[400],
  401: ErrorResponses[401],
  404: ErrorResponses[404],
} as const;
