-- One index for idempotency and the label join: (project, request id, model) is unique as
-- (project, model, request id) was, and its prefix is what predictions_request_idx held.
-- Built before the old ones go, so a retry is never without its unique index.
CREATE UNIQUE INDEX "predictions_request_model_uq" ON "predictions" USING btree ("project_id","request_id","model");--> statement-breakpoint
DROP INDEX "predictions_request_idx";--> statement-breakpoint
DROP INDEX "predictions_request_uq";--> statement-breakpoint
ALTER INDEX "predictions_request_model_uq" RENAME TO "predictions_request_uq";
