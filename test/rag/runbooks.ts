import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Real runbooks from ../shared/datasets (prometheus-operator/runbooks, Apache-2.0). */
export const RUNBOOKS_DIR = fileURLToPath(new URL("../../../shared/datasets/runbooks", import.meta.url));

export function runbook(path: string): { path: string; content: string } {
  return { path: `${path}.md`, content: readFileSync(`${RUNBOOKS_DIR}/${path}.md`, "utf8") };
}

export const SOME_RUNBOOKS = [
  "kubernetes/KubePodCrashLooping",
  "kubernetes/KubePersistentVolumeFillingUp",
  "kubernetes/KubePersistentVolumeErrors",
  "alertmanager/AlertmanagerFailedReload",
  "prometheus/PrometheusBadConfig",
  "node/NodeClockNotSynchronising",
  "general/TargetDown",
  "etcd/etcdHighFsyncDurations",
].map(runbook);
