/**
 * What the PR checks read of a repository, through an installation's Octokit: files at a commit
 * (the contents API), the merge base of a pull request, and the files it changes.
 */
import { RequestError } from "@octokit/request-error";
import { DomainError } from "../lib/errors.ts";
import type { GitHubOctokit } from "./app.ts";

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface ChangedFile {
  /** added | removed | modified | renamed | copied | changed | unchanged */
  status: string;
  /** For a rename: where the file was before. */
  previousFilename?: string;
}

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;

const notFound = (error: unknown) => error instanceof RequestError && error.status === 404;

export class RepoReader {
  private readonly files = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly octokit: GitHubOctokit,
    readonly ref: RepoRef,
  ) {}

  /** The file's text at `commit`, undefined when there is no such file. Read once per (path, commit). */
  file(path: string, commit: string): Promise<string | undefined> {
    const key = `${commit}\u0000${path}`;
    let text = this.files.get(key);
    if (!text) {
      text = this.read(path, commit);
      this.files.set(key, text);
    }
    return text;
  }

  private async read(path: string, commit: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.ref,
        path,
        ref: commit,
        mediaType: { format: "raw" },
      });
      // The raw media type answers a file with its bytes; a directory is still a JSON listing.
      if (typeof data !== "string")
        throw new DomainError("unprocessable", "not_a_file", `${path} is a directory, not a file`);
      return data;
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  /** Where the pull request's branch left its base: what its diff (and so the check) is against. */
  async mergeBase(base: string, head: string): Promise<string> {
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      ...this.ref,
      basehead: `${base}...${head}`,
      per_page: 1,
    });
    return data.merge_base_commit.sha;
  }

  /** The files the pull request changes, by path; undefined when GitHub's list is cut off. */
  async changedFiles(pullNumber: number): Promise<Map<string, ChangedFile> | undefined> {
    const files = await this.octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      ...this.ref,
      pull_number: pullNumber,
      per_page: 100,
    });
    if (files.length >= MAX_LISTED_FILES) return undefined;
    return new Map(
      files.map((f) => [
        f.filename,
        { status: f.status, ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}) },
      ]),
    );
  }
}
