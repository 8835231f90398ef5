/**
 * One run of a monitor, in three steps: gather what the two windows hold (gather.ts), judge drift,
 * prediction drift and performance on it (judge.ts, pure), store the report and let the monitor's
 * incidents follow it (persist.ts).
 */
import type { Db } from "../../db/client.ts";
import { gather } from "./gather.ts";
import { judge } from "./judge.ts";
import type { Monitor, Report } from "./model.ts";
import { type AnnounceDrift, persistReport } from "./persist.ts";

/**
 * Runs the monitor and stores its report; incidents follow the report's verdict, and `announce`
 * hears of a drifted report of a monitor with a retraining policy (events.ts).
 */
export async function runMonitor(
  db: Db,
  projectId: string,
  m: Monitor,
  trigger: Report["trigger"],
  now = new Date(),
  announce?: AnnounceDrift,
): Promise<Report> {
  const started = performance.now();
  const gathered = await gather(db, projectId, m, now);
  const judgement = gathered.enough ? judge(m, gathered) : undefined;
  return persistReport(db, projectId, m, { trigger, now, started, announce }, gathered, judgement);
}
