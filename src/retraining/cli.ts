import type { Command } from "commander";
import { INIT_FILES, init } from "./init.ts";

/** `vigil init`: writes the files a repository needs to join Vigil's loop (init.ts). */
export function registerRetrainingCommands(program: Command): void {
  program
    .command("init")
    .description(
      "Write .vigil.yml, the retraining workflow (with its report action) and an OpenTelemetry setup into a repository",
    )
    .option("--dir <path>", "the repository's root", ".")
    .option("--model <name>", "the model the OpenTelemetry setup names", "my-model")
    .option("--vigil-url <url>", "where the application reaches Vigil", "http://localhost:8080")
    .option("--force", "overwrite files that exist")
    .action((opts: { dir: string; model: string; vigilUrl: string; force?: boolean }) => {
      const result = init({
        dir: opts.dir,
        model: opts.model,
        vigilUrl: opts.vigilUrl,
        force: opts.force ?? false,
      });
      if (result.written.length === 0) {
        console.error(
          `vigil init: ${result.existing.join(", ")} ${result.existing.length === 1 ? "exists" : "exist"}; nothing written (--force overwrites)`,
        );
        process.exitCode = 1;
        return;
      }
      for (const path of result.written)
        console.log(`wrote ${path}${result.existing.includes(path) ? " (overwritten)" : ""}`);
      console.log(
        [
          "",
          "Next:",
          `  - ${INIT_FILES.vigilFile}: list your schema files and contracts (the PR checks read it).`,
          `  - ${INIT_FILES.workflow}: set the marked runs-on line to your GPU runner and replace the training step.`,
          "  - Set the repository variable VIGIL_URL to Vigil's VIGIL_PUBLIC_URL; install Vigil's GitHub App (actions: write).",
          '  - Give a monitor "retrainPolicy": { "repo": "OWNER/REPO", "workflow": "vigil-retrain.yml" }.',
          `  - ${INIT_FILES.otel}: import it at start-up to send traces and predictions to Vigil.`,
        ].join("\n"),
      );
    });
}
