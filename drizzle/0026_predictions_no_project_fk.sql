-- Predictions keep no foreign key to projects, as spans keep none: every row's project is the API
-- key's, which exists, and the per-row key check cost a fifth of a COPY on the embedded database.
ALTER TABLE "predictions" DROP CONSTRAINT "predictions_project_id_projects_id_fk";
