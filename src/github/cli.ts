import type { Command } from "commander";
import { loadConfig } from "../config.ts";
import type { Database } from "../db/client.ts";
import { openAndMigrate } from "../db/open.ts";
import { apiClient } from "../http/api-client.ts";
import {
  findProjectByName,
  getInstallation,
  linkInstallation,
  listInstallations,
  unlinkInstallation,
} from "./store.ts";

/**
 * `vigil github link|unlink|installations` act on the database (an operator's commands, like
 * `vigil keys`: linking decides which project's lineage and predictions an installation's checks
 * see); `vigil github install` asks a running Vigil for the install link of the key's project.
 */
export function registerGitHubCommands(program: Command): void {
  const gh = program.command("github").description("The GitHub App: installations, links to projects");

  gh.command("link")
    .description(
      "Link an installation of the App to a project (its PR checks then show lineage and evaluate contracts)",
    )
    .requiredOption(
      "--installation <id>",
      "the installation id (GitHub: Settings → Applications, or the webhook payloads)",
    )
    .requiredOption("--project <name>", "the Vigil project")
    .action(async (opts: { installation: string; project: string }) => {
      const id = installationId(opts.installation);
      await withDatabase(async (database) => {
        const project = await findProjectByName(database.db, opts.project);
        if (!project)
          throw new Error(
            `no project named ${opts.project} (vigil keys create --project ${opts.project} makes one)`,
          );
        const before = await getInstallation(database.db, id);
        await linkInstallation(database.db, id, project.id, "cli");
        const known = before
          ? ""
          : " (not seen from GitHub yet: its installation event will fill in the account)";
        console.log(`installation ${id} linked to project ${project.name}${known}`);
      });
    });

  gh.command("unlink")
    .description("Unlink an installation from its project (checks go on, without lineage or contracts)")
    .requiredOption("--installation <id>", "the installation id")
    .action(async (opts: { installation: string }) => {
      const id = installationId(opts.installation);
      await withDatabase(async (database) => {
        if (!(await unlinkInstallation(database.db, id))) throw new Error(`installation ${id} is not linked`);
        console.log(`installation ${id} unlinked`);
      });
    });

  gh.command("installations")
    .description("List the App's installations, their projects and repositories")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (database) => {
        const rows = await listInstallations(database.db);
        if (opts.json) return console.log(JSON.stringify(rows, null, 2));
        if (!rows.length) return console.log("no installations");
        console.table(
          rows.map((r) => ({
            id: r.id,
            account: r.accountLogin ?? "",
            project: r.project ?? "(unlinked)",
            repositories: r.repositorySelection === "all" ? "all" : r.repositories.length,
            suspended: r.suspendedAt ? "yes" : "",
          })),
        );
      });
    });

  gh.command("install")
    .description(
      "Print the link that installs the App and links it to the API key's project (VIGIL_URL, VIGIL_API_KEY)",
    )
    .action(async () => {
      const link = await apiClient().get<{ url: string; expiresAt: string }>("/api/v1/github/install");
      console.log(`${link.url}\n(good until ${link.expiresAt})`);
    });
}

function installationId(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`--installation: expected a number, got ${value}`);
  return Number(value);
}

async function withDatabase(fn: (database: Database) => Promise<void>): Promise<void> {
  const database = await openAndMigrate(loadConfig());
  try {
    await fn(database);
  } finally {
    await database.close();
  }
}
