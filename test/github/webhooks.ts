/**
 * Webhook deliveries as GitHub sends them: real payloads from @octokit/webhooks-examples, adjusted
 * to the test's installation, repository and commits, signed with the App's webhook secret.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { Webhooks } from "@octokit/webhooks";
import type { WebhookDefinition } from "@octokit/webhooks-examples";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

type Json = Record<string, unknown>;

/** A deep copy of GitHub's example payload of `event` with `action`. */
export function example(event: string, action: string): Json {
  const def = examples.find((d) => d.name === event);
  const found = def?.examples.find(
    (e) => (e as { action?: string }).action === action && "installation" in e,
  );
  const any = found ?? def?.examples.find((e) => (e as { action?: string }).action === action);
  if (!any) throw new Error(`no example ${event}.${action}`);
  return structuredClone(any) as unknown as Json;
}

function withRepo(payload: Json, installationId: number, fullName: string): Json {
  const [owner, name] = fullName.split("/") as [string, string];
  const repository = payload.repository as Json;
  repository.name = name;
  repository.full_name = fullName;
  (repository.owner as Json).login = owner;
  payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

export interface PullRequestEvent {
  action: "opened" | "synchronize" | "reopened" | "labeled" | "unlabeled" | "closed";
  installationId: number;
  repo: string;
  number: number;
  base: string;
  head: string;
  labels?: string[];
  /** The label added or removed (labeled, unlabeled). */
  label?: string;
}

export function pullRequestPayload(e: PullRequestEvent): Json {
  const payload = withRepo(
    example("pull_request", e.action === "closed" ? "closed" : "opened"),
    e.installationId,
    e.repo,
  );
  payload.action = e.action;
  payload.number = e.number;
  const pr = payload.pull_request as Json;
  pr.number = e.number;
  (pr.head as Json).sha = e.head;
  (pr.base as Json).sha = e.base;
  pr.labels = (e.labels ?? []).map((name, i) => ({
    id: i + 1,
    node_id: `L${i}`,
    url: "",
    name,
    color: "ededed",
    default: false,
    description: null,
  }));
  if (e.label)
    payload.label = {
      id: 99,
      node_id: "L99",
      url: "",
      name: e.label,
      color: "ededed",
      default: false,
      description: null,
    };
  return payload;
}

export function checkSuiteRerequested(
  installationId: number,
  repo: string,
  head: string,
  pullNumbers: number[],
): Json {
  const payload = withRepo(example("check_suite", "rerequested"), installationId, repo);
  const suite = payload.check_suite as Json;
  suite.head_sha = head;
  suite.pull_requests = pullNumbers.map((number) => ({
    number,
    id: number,
    url: "",
    head: { sha: head, ref: "x", repo: {} },
    base: { sha: "", ref: "main", repo: {} },
  }));
  return payload;
}

export function checkRunRerequested(
  installationId: number,
  repo: string,
  head: string,
  name: string,
  pullNumbers: number[],
): Json {
  const payload = withRepo(example("check_run", "rerequested"), installationId, repo);
  const run = payload.check_run as Json;
  run.name = name;
  run.head_sha = head;
  run.pull_requests = pullNumbers.map((number) => ({
    number,
    id: number,
    url: "",
    head: { sha: head, ref: "x", repo: {} },
    base: { sha: "", ref: "main", repo: {} },
  }));
  return payload;
}

export function installationPayload(
  action: "created" | "deleted" | "suspend" | "unsuspend",
  id: number,
  account: string,
  repos: { id: number; full_name: string; private?: boolean }[] = [],
): Json {
  const payload = example("installation", action);
  const inst = payload.installation as Json;
  inst.id = id;
  (inst.account as Json).login = account;
  if (action === "created")
    payload.repositories = repos.map((r) => ({
      id: r.id,
      node_id: `R${r.id}`,
      name: r.full_name.split("/")[1],
      full_name: r.full_name,
      private: r.private ?? false,
    }));
  return payload;
}

export function installationRepositoriesPayload(
  action: "added" | "removed",
  id: number,
  repos: { id: number; full_name: string }[],
): Json {
  const payload = example("installation_repositories", action);
  (payload.installation as Json).id = id;
  const list = repos.map((r) => ({
    id: r.id,
    node_id: `R${r.id}`,
    name: r.full_name.split("/")[1],
    full_name: r.full_name,
    private: false,
  }));
  payload.repositories_added = action === "added" ? list : [];
  payload.repositories_removed = action === "removed" ? list : [];
  return payload;
}

export interface Delivery {
  event: string;
  payload: unknown;
  /** Defaults to a new GUID, as GitHub's X-GitHub-Delivery. */
  id?: string;
  /** The secret to sign with; `null` sends no signature; a string signs with it. */
  secret: string | null;
}

/** The request GitHub would send. */
export async function deliveryRequest(d: Delivery): Promise<{ id: string; init: RequestInit }> {
  const body = JSON.stringify(d.payload);
  const id = d.id ?? randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/test",
    "x-github-event": d.event,
    "x-github-delivery": id,
    "x-github-hook-id": "1",
  };
  if (d.secret !== null) headers["x-hub-signature-256"] = await new Webhooks({ secret: d.secret }).sign(body);
  return { id, init: { method: "POST", body, headers } };
}

/**
 * A `workflow_run` delivery (requested | in_progress | completed) for a run of the fake GitHub:
 * GitHub's example payload with the run's fields (`runBody`: FakeGitHub.runBodyOf).
 */
export function workflowRunPayload(
  action: "requested" | "in_progress" | "completed",
  installationId: number,
  repo: string,
  runBody: Json,
): Json {
  const payload = withRepo(
    example("workflow_run", action === "in_progress" ? "completed" : action),
    installationId,
    repo,
  );
  payload.action = action;
  payload.workflow_run = { ...(payload.workflow_run as Json), ...runBody };
  return payload;
}
