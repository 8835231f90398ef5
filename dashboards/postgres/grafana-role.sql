-- A read-only role for Grafana's PostgreSQL datasource (dashboards/provisioning/datasources).
-- Run as Vigil's database owner after Vigil has created its tables; set a password of your own,
-- and run `GRANT CONNECT ON DATABASE <your database> TO vigil_grafana;` where CONNECT is not
-- granted to PUBLIC. It reads exactly the tables the dashboards query (test/dashboards/sql.test.ts
-- runs every panel's query as this role): no API keys, no notification channels or their secrets,
-- no documents.
CREATE ROLE vigil_grafana LOGIN PASSWORD 'change-me';
GRANT USAGE ON SCHEMA public TO vigil_grafana;
GRANT SELECT ON
  projects,
  spans,
  predictions,
  contracts,
  dataset_contracts,
  monitors,
  drift_reports,
  incidents,
  incident_events,
  lineage_nodes,
  schema_changes,
  retraining_runs
TO vigil_grafana;
-- Panels scan at most the dashboard's time range; a runaway query stops here.
ALTER ROLE vigil_grafana SET statement_timeout = '30s';
