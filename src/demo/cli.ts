import { type Command, Option } from "commander";
import { MONITOR_NAME, playDemo } from "./story.ts";
import { startTrickle, type Trickle } from "./trickle.ts";

/** A Vigil the demo started for itself (the composition root knows how). */
export interface LocalVigil {
  url: string;
  key: string;
  /** Where its embedded database lives (deleted by stop). */
  dataDir: string;
  stop(): Promise<void>;
}

export type StartLocalVigil = (opts: { port: string }) => Promise<LocalVigil>;

/**
 * `vigil demo`: start Vigil on a fresh embedded database (or use VIGIL_URL + VIGIL_API_KEY), play
 * the story through the public API, print where to look. A Vigil it started keeps serving until
 * Ctrl-C; `--keep-running` also streams live data until then.
 */
export function registerDemoCommand(
  program: Command,
  startLocal: StartLocalVigil,
  onStop: (stop: () => Promise<void>) => void,
): void {
  program
    .command("demo")
    .description(
      "Start Vigil on a fresh embedded database (or use VIGIL_URL + VIGIL_API_KEY) and fill it with a " +
        "realistic story — traces with a recurring exception, a drifting model, a breaking schema change, " +
        "alerts, runbooks — then print the URL and the key",
    )
    .addOption(
      new Option("-p, --port <port>", "port for the Vigil it starts (0: any free port)").default("8080"),
    )
    .option(
      "--keep-running",
      "after the story, send a slow live trickle of spans and predictions until Ctrl-C",
    )
    .addOption(new Option("--interval <seconds>", "seconds between live ticks").default("5"))
    .option("--json", "print what the story created as one JSON line on stdout (for scripts and tests)")
    .addHelpText(
      "after",
      "\nWith VIGIL_URL and VIGIL_API_KEY set, the story is played against that Vigil instead and the command\n" +
        "exits when it is done (unless --keep-running). Progress goes to stderr.\n\nExamples:\n" +
        "  npx vigil demo\n  npx vigil demo --keep-running --port 0\n" +
        "  VIGIL_URL=http://localhost:8080 VIGIL_API_KEY=... npx vigil demo\n",
    )
    .action(async (opts: { port: string; keepRunning?: boolean; interval: string; json?: boolean }) => {
      const step = (line: string) => process.stderr.write(`vigil demo: ${line}\n`);
      const remote = process.env.VIGIL_URL && process.env.VIGIL_API_KEY;
      let local: LocalVigil | undefined;
      let trickle: Trickle | undefined;
      if (!remote) {
        step("starting Vigil on a fresh embedded database…");
        local = await startLocal({ port: opts.port });
        step(`Vigil is up at ${local.url} (data in ${local.dataDir})`);
        // From now on Ctrl-C, even mid-story, stops the service and deletes the demo database.
        onStop(async () => {
          await trickle?.stop();
          await local?.stop();
        });
      }
      const baseUrl = local?.url ?? process.env.VIGIL_URL!.replace(/\/+$/, "");
      const apiKey = local?.key ?? process.env.VIGIL_API_KEY!;
      const started = Date.now();
      let result: Awaited<ReturnType<typeof playDemo>>;
      try {
        result = await playDemo({ baseUrl, apiKey, log: step });
      } catch (error) {
        await local?.stop();
        throw error;
      }
      step(`story played in ${((Date.now() - started) / 1000).toFixed(1)} s`);

      if (opts.keepRunning) {
        const every = Math.max(1, Number(opts.interval) || 5) * 1000;
        trickle = startTrickle({
          baseUrl,
          apiKey,
          monitorId: result.monitor.id,
          tag: result.tag,
          everyMs: every,
          log: step,
        });
        step(
          `live: spans and predictions every ${every / 1000} s, a drift run of "${MONITOR_NAME}" every minute`,
        );
      }
      const shownKey = local ? local.key : "(your VIGIL_API_KEY)";
      if (opts.json) console.log(JSON.stringify({ url: baseUrl, key: local?.key, ...result }));
      else
        console.log(
          [
            "",
            "Vigil demo is ready.",
            "",
            `  URL:  ${baseUrl}/`,
            `  Key:  ${shownKey}`,
            "",
            `  Sign in at the URL with the key, or try the API:`,
            `  curl -H "Authorization: Bearer ${local ? local.key : "$VIGIL_API_KEY"}" ${baseUrl}/api/v1/incidents`,
            "",
            local || trickle
              ? `  Ctrl-C stops it${local ? " and deletes the demo database" : ""}.`
              : "  Done: the data stays in that Vigil.",
            "",
          ].join("\n"),
        );
      if (!local && trickle) onStop(() => trickle!.stop());
    });
}
