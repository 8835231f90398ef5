import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Real runbooks (prometheus-operator/runbooks, Apache-2.0): see fixtures/README.md. */
export const RUNBOOKS_DIR = fileURLToPath(new URL("./fixtures/runbooks", import.meta.url));

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
