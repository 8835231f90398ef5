/**
 * What other capabilities may read of incidents: one incident, a filtered list, the project an
 * incident belongs to. Their writes go through record.ts.
 */
export { getIncident, type IncidentFilter, incidentProjectId, listIncidents } from "./store.ts";
