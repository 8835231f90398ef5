import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkMarkdown, parseMarkdown } from "../../src/rag/markdown.ts";
import { runbook } from "./runbooks.ts";

describe("markdown chunking", () => {
  it("reads front matter and keeps heading paths", () => {
    const { title, body, frontMatter } = parseMarkdown(runbook("kubernetes/KubePodCrashLooping").content);
    expect(title).toBe("Kube Pod Crash Looping");
    expect(frontMatter.weight).toBe("20");
    const chunks = chunkMarkdown(body);
    expect(chunks.map((c) => c.headingPath)).toEqual([
      ["KubePodCrashLooping", "Meaning"],
      ["KubePodCrashLooping", "Impact"],
      ["KubePodCrashLooping", "Diagnosis"],
      ["KubePodCrashLooping", "Mitigation"],
    ]);
  });

  it("falls back to the H1 for the title and ignores # lines inside code", () => {
    const md = "# Disk full\n\n## Fix\n\n```sh\n# not a heading\ndf -h\n```\n\nthen clean up";
    expect(parseMarkdown(md).title).toBe("Disk full");
    const chunks = chunkMarkdown(md);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(["Disk full", "Fix"]);
    expect(chunks[0]!.content).toContain("# not a heading\ndf -h");
  });

  it("splits long sections under the cap, never inside a code block", () => {
    const code = "```\n" + "x = 1\n".repeat(100) + "```";
    const para = "This sentence is about disks. ".repeat(40);
    const chunks = chunkMarkdown(`## Long\n\n${para}\n\n${code}\n\n${para}`, { maxChars: 300 });
    expect(chunks.length).toBeGreaterThan(3);
    const withCode = chunks.filter((c) => c.content.includes("```"));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]!.content).toBe(code);
    for (const c of chunks) if (!c.content.includes("```")) expect(c.content.length).toBeLessThanOrEqual(300);
  });

  it("keeps every word of the body (property)", () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const line = fc.array(word, { minLength: 1, maxLength: 30 }).map((w) => w.join(" "));
    const doc = fc.array(
      fc.oneof(
        line,
        word.map((w) => `## ${w}`),
        line.map((l) => `\n${l}.`),
      ),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(doc, fc.integer({ min: 40, max: 400 }), (lines, maxChars) => {
        const body = lines.join("\n");
        const chunks = chunkMarkdown(body, { maxChars });
        const bodyWords = body.replace(/^## .*$/gm, "").match(/[a-z]+/g) ?? [];
        const chunkWords = chunks.flatMap((c) => c.content.match(/[a-z]+/g) ?? []);
        expect(chunkWords).toEqual(bodyWords);
      }),
      { numRuns: 200 },
    );
  });
});
