-- Per-feature binned reference and current values of a drift report (the report page draws them);
-- null for the reports made before.
ALTER TABLE "drift_reports" ADD COLUMN "distributions" jsonb;