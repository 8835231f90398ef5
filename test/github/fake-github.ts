/**
 * A fake GitHub API on loopback for the tests and the bench (GITHUB_API_URL points at it). It
 * issues installation tokens only for a JWT signed by the App's key (a key made at test time),
 * serves repository files by commit, pull requests and their files, takes check runs, converts
 * manifest codes, finds a repository's installation, dispatches workflows (as github.com does
 * since February 2026, or as an older Enterprise Server that refuses `return_run_details`) and
 * serves their runs, and records every call — each checked against GitHub's OpenAPI description
 * (openapi-check.ts): a call GitHub would refuse is answered 422 and kept in `violations`.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkAgainstOpenApi } from "./openapi-check.ts";

export interface RecordedCall {
  method: string;
  path: string;
  template?: string;
  query: Record<string, string>;
  body?: unknown;
  /** app: a valid App JWT; installation: a token the fake issued; none. */
  auth: "app" | "installation" | "none";
  installationId?: number;
  status: number;
  /** Answered by failNext, not by the fake's GitHub. */
  injected?: boolean;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface FakeCheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output: { title?: string; summary?: string; text?: string };
  annotations: {
    path: string;
    start_line: number;
    end_line: number;
    annotation_level: string;
    message: string;
    title?: string;
  }[];
  /** Requests that carried annotations, and how many each. */
  annotationBatches: number[];
  createdAt: number;
  completedAt?: number;
}

interface PullSpec {
  number: number;
  base: string;
  head: string;
  /** Where the head branch left the base; the base commit itself by default. */
  mergeBase?: string;
  labels: string[];
  /** new path → old path: files GitHub would list as renamed. */
  renames?: Record<string, string>;
  state?: "open" | "closed";
}

interface RepoState {
  commits: Map<string, Record<string, string>>;
  pulls: Map<number, PullSpec>;
}

/** A workflow file of a repository, as far as dispatching it goes. */
export interface FakeWorkflow {
  id: number;
  file: string;
  /** Whether it has a `workflow_dispatch` trigger. */
  dispatchable: boolean;
  /** Its workflow_dispatch inputs: name → required. */
  inputs: Record<string, boolean>;
  /** Renders the run-name for a dispatch's inputs (the workflow's `run-name:`). */
  runName: (inputs: Record<string, string>) => string;
}

export interface FakeWorkflowRun {
  id: number;
  repo: string;
  workflowId: number;
  path: string;
  displayTitle: string;
  event: string;
  status: "requested" | "queued" | "in_progress" | "completed" | "waiting" | "pending";
  conclusion: string | null;
  runAttempt: number;
  inputs: Record<string, string>;
  ref: string;
  createdAt: string;
  runStartedAt: string;
  updatedAt: string;
}

/**
 * How dispatches are answered: `details` as github.com since February 2026 (200 with the run's id
 * when asked), `no-details` as before (204 always), `refuse-details` as an older Enterprise Server
 * (422 naming return_run_details when it is sent, 204 without it).
 */
export type DispatchMode = "details" | "no-details" | "refuse-details";

type Handler = (req: Ctx) => {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
};

interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage["headers"];
  installationId?: number;
  params: string[];
}

export class FakeGitHub {
  readonly appId = 4242;
  readonly slug = "vigil-test";
  readonly privateKey: string;
  readonly webhookSecret = `whsec-${randomBytes(12).toString("hex")}`;
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly checkRuns = new Map<number, FakeCheckRun>();
  readonly installations = new Map<number, { account: string; repos: Set<string> }>();
  readonly repos = new Map<string, RepoState>();
  /** Manifest-flow codes GitHub would accept, with the App each one converts to. */
  readonly manifestCodes = new Map<
    string,
    { pem: string; webhookSecret: string; id: number; slug: string }
  >();
  private readonly tokens = new Map<string, number>();
  private readonly failures: { method: string; path: RegExp; status: number; times: number }[] = [];
  private nextRunId = 1;
  private server!: Server;
  url = "";
  readonly workflows = new Map<string, Map<string, FakeWorkflow>>();
  readonly workflowRuns = new Map<number, FakeWorkflowRun>();
  dispatchMode: DispatchMode = "details";
  private nextWorkflowRunId = 7_000_000_001;

  private constructor() {
    this.privateKey = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;
  }

  static async start(): Promise<FakeGitHub> {
    const fake = new FakeGitHub();
    fake.server = createServer((req, res) => void fake.serve(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The App's environment for Vigil. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      GITHUB_APP_ID: String(this.appId),
      // One line with \n escapes, as in a .env file: Vigil must unescape it.
      GITHUB_PRIVATE_KEY: this.privateKey.replace(/\n/g, "\\n"),
      GITHUB_WEBHOOK_SECRET: this.webhookSecret,
      GITHUB_API_URL: this.url,
      GITHUB_URL: this.url,
      ...extra,
    };
  }

  // ---- state the tests set up ----

  installation(id: number, account: string, repos: string[]): void {
    this.installations.set(id, { account, repos: new Set(repos) });
    for (const r of repos)
      if (!this.repos.has(r)) this.repos.set(r, { commits: new Map(), pulls: new Map() });
  }

  commit(repo: string, sha: string, files: Record<string, string>): void {
    this.repoState(repo).commits.set(sha, files);
  }

  pull(repo: string, spec: Omit<PullSpec, "labels"> & { labels?: string[] }): void {
    this.repoState(repo).pulls.set(spec.number, { labels: [], ...spec });
  }

  /** A workflow in `repo`, dispatchable with `inputs` (name → required) unless told otherwise. */
  workflow(repo: string, file: string, spec: Partial<Omit<FakeWorkflow, "id" | "file">> = {}): FakeWorkflow {
    let files = this.workflows.get(repo);
    if (!files) {
      files = new Map();
      this.workflows.set(repo, files);
    }
    const wf: FakeWorkflow = {
      id: 100 + this.workflows.size * 10 + files.size,
      file,
      dispatchable: true,
      inputs: {},
      runName: (inputs) => `Retrain ${inputs.model ?? ""} (vigil ${inputs.dispatch_id ?? ""})`,
      ...spec,
    };
    files.set(file, wf);
    return wf;
  }

  /** The runs dispatches made, oldest first. */
  dispatchedRuns(repo?: string): FakeWorkflowRun[] {
    return [...this.workflowRuns.values()].filter((r) => !repo || r.repo === repo);
  }

  /** Moves a run on, as GitHub would (the test then delivers the webhook, or not). */
  setRun(
    id: number,
    change: Partial<Pick<FakeWorkflowRun, "status" | "conclusion" | "runAttempt">>,
  ): FakeWorkflowRun {
    const run = this.workflowRuns.get(id);
    if (!run) throw new Error(`fake GitHub: no run ${id}`);
    Object.assign(run, change, { updatedAt: new Date().toISOString() });
    return run;
  }

  /** The REST shape of a run (GET …/actions/runs/{id}, and a webhook's workflow_run). */
  runBodyOf(run: FakeWorkflowRun) {
    const api = `${this.url}/repos/${run.repo}/actions/runs/${run.id}`;
    return {
      id: run.id,
      name: "Retrain",
      node_id: `WFR_${run.id}`,
      head_branch: run.ref,
      head_sha: "0".repeat(40),
      path: run.path,
      display_title: run.displayTitle,
      run_number: run.id % 1000,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      check_suite_id: run.id + 1,
      url: api,
      html_url: `${this.url}/${run.repo}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      run_attempt: run.runAttempt,
      run_started_at: run.runStartedAt,
      jobs_url: `${api}/jobs`,
      logs_url: `${api}/logs`,
      check_suite_url: `${api}/check-suite`,
      artifacts_url: `${api}/artifacts`,
      cancel_url: `${api}/cancel`,
      rerun_url: `${api}/rerun`,
      workflow_url: `${this.url}/repos/${run.repo}/actions/workflows/${run.workflowId}`,
      head_commit: null,
      repository: { id: 1, full_name: run.repo, name: run.repo.split("/")[1] },
      head_repository: { id: 1, full_name: run.repo, name: run.repo.split("/")[1] },
    };
  }

  /** The next `times` requests matching answer `status` (to test retries). */
  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, times });
  }

  runsFor(headSha: string, name?: string): FakeCheckRun[] {
    return [...this.checkRuns.values()].filter((r) => r.head_sha === headSha && (!name || r.name === name));
  }

  async waitFor<T>(
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 20_000,
    what = "condition",
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`fake GitHub: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits for `n` completed runs named `name` on `headSha` (all runs of it, oldest first). */
  completed(headSha: string, name: string, n = 1, timeoutMs = 20_000): Promise<FakeCheckRun[]> {
    return this.waitFor(
      () => {
        const runs = this.runsFor(headSha, name).filter((r) => r.status === "completed");
        return runs.length >= n ? runs : undefined;
      },
      timeoutMs,
      `${n} completed ${name} run(s) on ${headSha}`,
    );
  }

  private repoState(repo: string): RepoState {
    let state = this.repos.get(repo);
    if (!state) {
      state = { commits: new Map(), pulls: new Map() };
      this.repos.set(repo, state);
    }
    return state;
  }

  // ---- HTTP ----

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.send(res, { status: 400, body: { message: "Problems parsing JSON" } });
    }
    const path = decodeURIComponent(url.pathname);
    const call: RecordedCall = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      ...(body !== undefined ? { body } : {}),
      auth: "none",
      status: 0,
      at,
    };
    this.calls.push(call);
    const check = checkAgainstOpenApi(method, url.pathname, url.searchParams, body);
    if (check.template) call.template = check.template;
    let answer: ReturnType<Handler>;
    const failure = this.failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (check.problems.length > 0) {
      this.violations.push(...check.problems.map((p) => `${method} ${check.template ?? path}: ${p}`));
      answer = { status: 422, body: { message: "Invalid request.", errors: check.problems } };
    } else if (failure) {
      failure.times--;
      call.injected = true;
      answer = { status: failure.status, body: { message: "injected failure" } };
    } else {
      try {
        answer = this.route(req, call, {
          method,
          path,
          query: url.searchParams,
          body,
          headers: req.headers,
          params: [],
        });
      } catch (error) {
        answer = { status: 500, body: { message: String(error) } };
      }
    }
    call.status = answer.status;
    this.send(res, answer);
  }

  private send(res: ServerResponse, answer: ReturnType<Handler>): void {
    const headers: Record<string, string> = {
      "x-github-request-id": randomBytes(4).toString("hex"),
      ...answer.headers,
    };
    if (answer.text !== undefined) {
      res.writeHead(answer.status, { "content-type": "text/plain; charset=utf-8", ...headers });
      res.end(answer.text);
      return;
    }
    res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  }

  private route(req: IncomingMessage, call: RecordedCall, ctx: Ctx): ReturnType<Handler> {
    const m = (method: string, re: RegExp) => {
      if (ctx.method !== method) return false;
      const found = re.exec(ctx.path);
      if (found) ctx.params = found.slice(1);
      return Boolean(found);
    };
    if (m("POST", /^\/app-manifests\/([^/]+)\/conversions$/)) return this.convertManifest(ctx.params[0]!);

    const auth = req.headers.authorization ?? "";
    if (ctx.path.startsWith("/app")) {
      if (!this.validJwt(auth))
        return { status: 401, body: { message: "A JSON web token could not be decoded" } };
      call.auth = "app";
      if (m("GET", /^\/app$/))
        return {
          status: 200,
          body: {
            id: this.appId,
            slug: this.slug,
            name: "Vigil test",
            html_url: `${this.url}/apps/${this.slug}`,
          },
        };
      if (m("POST", /^\/app\/installations\/(\d+)\/access_tokens$/)) {
        const id = Number(ctx.params[0]);
        if (!this.installations.has(id)) return { status: 404, body: { message: "Not Found" } };
        const token = `ghs_${randomBytes(18).toString("hex")}`;
        this.tokens.set(token, id);
        return {
          status: 201,
          body: {
            token,
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
            permissions: {
              checks: "write",
              contents: "read",
              pull_requests: "read",
              actions: "write",
              metadata: "read",
            },
            repository_selection: "selected",
          },
        };
      }
      if (m("GET", /^\/app\/installations\/(\d+)$/)) {
        const id = Number(ctx.params[0]);
        const inst = this.installations.get(id);
        if (!inst) return { status: 404, body: { message: "Not Found" } };
        return {
          status: 200,
          body: {
            id,
            account: { login: inst.account, type: "Organization" },
            repository_selection: "selected",
          },
        };
      }
      return { status: 404, body: { message: "Not Found" } };
    }

    const installationOf = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(ctx.path);
    if (installationOf && ctx.method === "GET") {
      if (!this.validJwt(auth))
        return { status: 401, body: { message: "A JSON web token could not be decoded" } };
      call.auth = "app";
      const repo = `${installationOf[1]}/${installationOf[2]}`;
      const found = [...this.installations].find(([, i]) => i.repos.has(repo));
      if (!found) return { status: 404, body: { message: "Not Found" } };
      return {
        status: 200,
        body: {
          id: found[0],
          account: { login: found[1].account, type: "Organization" },
          repository_selection: "selected",
          app_id: this.appId,
          target_type: "Organization",
        },
      };
    }

    const token = /^token (\S+)$/i.exec(auth)?.[1] ?? /^bearer (ghs_\S+)$/i.exec(auth)?.[1];
    const installationId = token ? this.tokens.get(token) : undefined;
    if (installationId === undefined) return { status: 401, body: { message: "Bad credentials" } };
    call.auth = "installation";
    call.installationId = installationId;
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(ctx.path);
    if (!repoMatch) return { status: 404, body: { message: "Not Found" } };
    const repo = `${repoMatch[1]}/${repoMatch[2]}`;
    if (!this.installations.get(installationId)?.repos.has(repo))
      return { status: 404, body: { message: "Not Found" } };
    const state = this.repoState(repo);
    const rest = repoMatch[3]!;
    const sub = (method: string, re: RegExp) => {
      if (ctx.method !== method) return false;
      const found = re.exec(rest);
      if (found) ctx.params = found.slice(1);
      return Boolean(found);
    };

    if (sub("GET", /^\/contents\/(.+)$/)) {
      const files = state.commits.get(ctx.query.get("ref") ?? "");
      if (!files) return { status: 404, body: { message: "No commit found for the ref" } };
      const path = ctx.params[0]!;
      const text = files[path];
      if (text === undefined) {
        const listing = Object.keys(files).filter((f) => f.startsWith(`${path}/`));
        if (listing.length)
          return {
            status: 200,
            body: listing.map((f) => ({ type: "file", path: f, name: f.split("/").at(-1) })),
          };
        return { status: 404, body: { message: "Not Found" } };
      }
      if (/raw/.test(String(ctx.headers.accept))) return { status: 200, text };
      return {
        status: 200,
        body: { type: "file", encoding: "base64", path, content: Buffer.from(text).toString("base64") },
      };
    }
    if (sub("GET", /^\/compare\/([^.]+)\.\.\.(.+)$/)) {
      const [base, head] = ctx.params as [string, string];
      if (!state.commits.has(base) || !state.commits.has(head))
        return { status: 404, body: { message: "Not Found" } };
      const pull = [...state.pulls.values()].find((p) => p.base === base && p.head === head);
      return {
        status: 200,
        body: { merge_base_commit: { sha: pull?.mergeBase ?? base }, status: "ahead", files: [] },
      };
    }
    if (sub("GET", /^\/pulls\/(\d+)\/files$/)) {
      const pull = state.pulls.get(Number(ctx.params[0]));
      if (!pull) return { status: 404, body: { message: "Not Found" } };
      return this.page(ctx, this.pullFiles(state, pull));
    }
    if (sub("GET", /^\/pulls\/(\d+)$/)) {
      const pull = state.pulls.get(Number(ctx.params[0]));
      if (!pull) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: this.pullBody(pull) };
    }
    if (sub("GET", /^\/commits\/([^/]+)\/pulls$/)) {
      const pulls = [...state.pulls.values()].filter((p) => p.head === ctx.params[0]);
      return { status: 200, body: pulls.map((p) => this.pullBody(p)) };
    }
    if (sub("POST", /^\/actions\/workflows\/([^/]+)\/dispatches$/)) return this.dispatch(repo, ctx);
    if (sub("GET", /^\/actions\/runs\/(\d+)$/)) {
      const run = this.workflowRuns.get(Number(ctx.params[0]));
      if (!run || run.repo !== repo) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: this.runBodyOf(run) };
    }
    if (sub("GET", /^\/actions\/workflows\/([^/]+)\/runs$/)) {
      const wf = this.findWorkflow(repo, ctx.params[0]!);
      if (!wf) return { status: 404, body: { message: "Not Found" } };
      const created = /^>=(.+)$/.exec(ctx.query.get("created") ?? "")?.[1];
      const event = ctx.query.get("event");
      const runs = [...this.workflowRuns.values()]
        .filter(
          (r) =>
            r.repo === repo &&
            r.workflowId === wf.id &&
            (!event || r.event === event) &&
            (!created || r.createdAt >= created),
        )
        .reverse();
      const perPage = Number(ctx.query.get("per_page") ?? 30);
      return {
        status: 200,
        body: {
          total_count: runs.length,
          workflow_runs: runs.slice(0, perPage).map((r) => this.runBodyOf(r)),
        },
      };
    }
    if (sub("POST", /^\/check-runs$/)) {
      const b = ctx.body as {
        name: string;
        head_sha: string;
        status?: string;
        conclusion?: string;
        output?: FakeCheckRun["output"] & { annotations?: FakeCheckRun["annotations"] };
      };
      const run: FakeCheckRun = {
        id: this.nextRunId++,
        repo,
        name: b.name,
        head_sha: b.head_sha,
        status: b.status ?? "queued",
        ...(b.conclusion ? { conclusion: b.conclusion, status: "completed" } : {}),
        output: {},
        annotations: [],
        annotationBatches: [],
        createdAt: performance.now(),
      };
      this.applyOutput(run, b.output);
      this.checkRuns.set(run.id, run);
      return { status: 201, body: this.runBody(run) };
    }
    if (sub("PATCH", /^\/check-runs\/(\d+)$/)) {
      const run = this.checkRuns.get(Number(ctx.params[0]));
      if (!run || run.repo !== repo) return { status: 404, body: { message: "Not Found" } };
      const b = ctx.body as {
        status?: string;
        conclusion?: string;
        output?: FakeCheckRun["output"] & { annotations?: FakeCheckRun["annotations"] };
      };
      if (b.status) run.status = b.status;
      if (b.conclusion) {
        run.conclusion = b.conclusion;
        run.status = "completed";
      }
      this.applyOutput(run, b.output);
      if (run.status === "completed") run.completedAt = performance.now();
      return { status: 200, body: this.runBody(run) };
    }
    return { status: 404, body: { message: "Not Found" } };
  }

  private findWorkflow(repo: string, idOrFile: string): FakeWorkflow | undefined {
    const files = this.workflows.get(repo);
    if (!files) return undefined;
    return files.get(idOrFile) ?? [...files.values()].find((w) => String(w.id) === idOrFile);
  }

  /** POST …/actions/workflows/{workflow_id}/dispatches, with GitHub's answers and messages. */
  private dispatch(repo: string, ctx: Ctx): ReturnType<Handler> {
    const b = ctx.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
    if (this.dispatchMode === "refuse-details" && "return_run_details" in b)
      return {
        status: 422,
        body: {
          message: 'Invalid request.\n\n"return_run_details" is not a permitted key.',
          documentation_url: "https://docs.github.com/enterprise-server@3.14/rest",
        },
      };
    const wf = this.findWorkflow(repo, ctx.params[0]!);
    if (!wf) return { status: 404, body: { message: "Not Found" } };
    if (!wf.dispatchable)
      return { status: 422, body: { message: "Workflow does not have 'workflow_dispatch' trigger" } };
    const inputs = Object.fromEntries(Object.entries(b.inputs ?? {}).map(([k, v]) => [k, String(v)]));
    const unexpected = Object.keys(inputs).filter((k) => !(k in wf.inputs));
    if (unexpected.length)
      return { status: 422, body: { message: `Unexpected inputs provided: ${JSON.stringify(unexpected)}` } };
    const missing = Object.entries(wf.inputs).find(([k, required]) => required && !inputs[k]);
    if (missing) return { status: 422, body: { message: `Required input '${missing[0]}' not provided` } };
    const now = new Date().toISOString();
    const run: FakeWorkflowRun = {
      id: this.nextWorkflowRunId++,
      repo,
      workflowId: wf.id,
      path: `.github/workflows/${wf.file}`,
      displayTitle: wf.runName(inputs),
      event: "workflow_dispatch",
      status: "queued",
      conclusion: null,
      runAttempt: 1,
      inputs,
      ref: b.ref,
      createdAt: now,
      runStartedAt: now,
      updatedAt: now,
    };
    this.workflowRuns.set(run.id, run);
    if (this.dispatchMode === "details" && b.return_run_details === true)
      return {
        status: 200,
        body: {
          workflow_run_id: run.id,
          run_url: `${this.url}/repos/${repo}/actions/runs/${run.id}`,
          html_url: `${this.url}/${repo}/actions/runs/${run.id}`,
        },
      };
    return { status: 204 };
  }

  private applyOutput(
    run: FakeCheckRun,
    output?: FakeCheckRun["output"] & { annotations?: FakeCheckRun["annotations"] },
  ) {
    if (!output) return;
    const { annotations, ...text } = output;
    run.output = { ...run.output, ...text };
    if (annotations?.length) {
      run.annotations.push(...annotations);
      run.annotationBatches.push(annotations.length);
    }
  }

  private runBody(run: FakeCheckRun) {
    return {
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion ?? null,
      html_url: `${this.url}/${run.repo}/runs/${run.id}`,
    };
  }

  private pullBody(p: PullSpec) {
    return {
      number: p.number,
      state: p.state ?? "open",
      labels: p.labels.map((name, i) => ({ id: i + 1, name })),
      base: { sha: p.base, ref: "main" },
      head: { sha: p.head, ref: `pr-${p.number}` },
    };
  }

  /** What GET …/pulls/{n}/files lists: the head against the merge base, renames as declared. */
  private pullFiles(state: RepoState, pull: PullSpec) {
    const before = state.commits.get(pull.mergeBase ?? pull.base) ?? {};
    const after = state.commits.get(pull.head) ?? {};
    const renamedFrom = new Set(Object.values(pull.renames ?? {}));
    const out: { filename: string; status: string; previous_filename?: string }[] = [];
    for (const [path, text] of Object.entries(after)) {
      const old = pull.renames?.[path];
      if (old) out.push({ filename: path, status: "renamed", previous_filename: old });
      else if (!(path in before)) out.push({ filename: path, status: "added" });
      else if (before[path] !== text) out.push({ filename: path, status: "modified" });
    }
    for (const path of Object.keys(before))
      if (!(path in after) && !renamedFrom.has(path)) out.push({ filename: path, status: "removed" });
    return out.map((f, i) => ({ sha: `blob${i}`, additions: 1, deletions: 0, changes: 1, ...f }));
  }

  private page(ctx: Ctx, items: unknown[]) {
    const perPage = Number(ctx.query.get("per_page") ?? 30);
    const page = Number(ctx.query.get("page") ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(`${this.url}${ctx.path}`);
      next.searchParams.set("per_page", String(perPage));
      next.searchParams.set("page", String(page + 1));
      headers.link = `<${next}>; rel="next"`;
    }
    return { status: 200, body: slice, headers };
  }

  private convertManifest(code: string): ReturnType<Handler> {
    const app = this.manifestCodes.get(code);
    if (!app) return { status: 404, body: { message: "Not Found" } };
    this.manifestCodes.delete(code);
    return {
      status: 201,
      body: {
        id: app.id,
        slug: app.slug,
        node_id: "A_1",
        name: "Vigil (manifest)",
        owner: { login: "acme" },
        description: "",
        external_url: "http://127.0.0.1",
        html_url: `${this.url}/apps/${app.slug}`,
        created_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
        permissions: { checks: "write" },
        events: ["pull_request"],
        client_id: "Iv1.fake",
        client_secret: `client-secret-${randomBytes(8).toString("hex")}`,
        webhook_secret: app.webhookSecret,
        pem: app.pem,
      },
    };
  }

  /** A JWT the App's key signed, naming the App, not expired. */
  private validJwt(auth: string): boolean {
    const jwt = /^bearer (.+)$/i.exec(auth)?.[1];
    if (!jwt) return false;
    const parts = jwt.split(".");
    if (parts.length !== 3) return false;
    const [h, p, s] = parts as [string, string, string];
    try {
      const header = JSON.parse(Buffer.from(h, "base64url").toString());
      const payload = JSON.parse(Buffer.from(p, "base64url").toString());
      if (header.alg !== "RS256") return false;
      const keys = [this.privateKey, ...[...this.manifestPems()]];
      const signed = keys.some((k) =>
        verify("sha256", Buffer.from(`${h}.${p}`), createPublicKey(k), Buffer.from(s, "base64url")),
      );
      const now = Math.floor(Date.now() / 1000);
      return signed && this.appIds().has(String(payload.iss)) && payload.exp > now && payload.iat <= now + 60;
    } catch {
      return false;
    }
  }

  /** Apps made through the manifest flow keep working after their code is used. */
  private readonly madeApps: { id: number; pem: string }[] = [];
  private *manifestPems() {
    for (const a of this.madeApps) yield a.pem;
  }
  private appIds(): Set<string> {
    return new Set([String(this.appId), ...this.madeApps.map((a) => String(a.id))]);
  }

  /** A code the manifest flow's redirect carries, converting to a new App with its own key. */
  manifestCode(): { code: string; id: number; webhookSecret: string } {
    const code = randomBytes(10).toString("hex");
    const id = 9000 + this.madeApps.length;
    const pem = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;
    const webhookSecret = `made-${randomBytes(8).toString("hex")}`;
    this.manifestCodes.set(code, { pem, webhookSecret, id, slug: `vigil-made-${id}` });
    this.madeApps.push({ id, pem });
    return { code, id, webhookSecret };
  }
}
