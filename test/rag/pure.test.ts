import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractiveAnswer, NOT_FOUND, splitSentences } from "../../src/rag/answer.ts";
import { BUILTIN_DIMENSIONS, builtinVector } from "../../src/rag/embedders/builtin.ts";
import { fuse } from "../../src/rag/fusion.ts";
import { incidentQuery } from "../../src/rag/incidents.ts";
import { chunkMarkdown, parseMarkdown } from "../../src/rag/markdown.ts";
import { highlight, MARK_END, MARK_START, snippetToText } from "../../src/rag/snippet.ts";
import { splitIdentifiers, terms } from "../../src/rag/tokens.ts";
import { runbook } from "./runbooks.ts";

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

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

describe("built-in embedder", () => {
  it("splits identifiers and stems", () => {
    expect(splitIdentifiers("KubeAPIErrorBudgetBurn")).toBe("Kube API Error Budget Burn");
    expect(terms("KubePodCrashLooping is crash-looping")).toEqual([
      "kube",
      "pod",
      "crash",
      "loop",
      "crash",
      "loop",
    ]);
  });

  it("is deterministic, unit length and fixed size", () => {
    const a = builtinVector("Pod is crash looping");
    expect(a).toHaveLength(BUILTIN_DIMENSIONS);
    expect(Array.from(a)).toEqual(Array.from(builtinVector("Pod is crash looping")));
    expect(cos(a, a)).toBeCloseTo(1, 5);
    expect(Array.from(builtinVector("the of and")).every((x) => x === 0)).toBe(true);
  });

  it("puts an alert closer to its runbook's words than to an unrelated one", () => {
    const q = builtinVector("Pod payments/api is in waiting state (reason: CrashLoopBackOff)");
    const crash = builtinVector("Kube Pod Crash Looping. Pod is in CrashLoop: the app dies and restarts");
    const disk = builtinVector("Node filesystem space filling up. Disk is almost full");
    expect(cos(q, crash)).toBeGreaterThan(cos(q, disk) + 0.1);
    // Character n-grams match run-together lower-case identifiers (common in labels and logs)
    // to their words, where word features alone see nothing in common.
    const noGrams = { ngrams: [3, 4], weights: { word: 1, pair: 0.5, gram: 0 } };
    const joined = (o?: typeof noGrams) =>
      cos(builtinVector("reason crashloopbackoff", 512, o), builtinVector("crash loop back off", 512, o));
    expect(Math.abs(joined(noGrams))).toBeLessThan(0.02);
    expect(joined()).toBeGreaterThan(0.05);
  });
});

describe("reciprocal rank fusion", () => {
  const hit = (chunkId: number, documentId: string, score = 1) => ({ chunkId, documentId, score });

  it("scores Σ w/(k+rank) and records each leg's rank", () => {
    const out = fuse([hit(1, "a"), hit(2, "b")], [hit(2, "b"), hit(3, "c")], {
      k: 60,
      weights: { vector: 1, text: 1 },
      perDocument: true,
    });
    expect(out.map((f) => f.chunkId)).toEqual([2, 1, 3]);
    expect(out[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(out[0]!.legs).toEqual({ vector: { rank: 2, score: 1 }, text: { rank: 1, score: 1 } });
    expect(out[2]!.legs.vector).toBeNull();
  });

  it("collapses to one result per document by default", () => {
    const out = fuse([hit(1, "a"), hit(2, "a"), hit(3, "b")], [hit(2, "a"), hit(4, "b")], {
      weights: { vector: 1, text: 1 },
    });
    expect(out.map((f) => f.documentId)).toEqual(["a", "b"]);
    expect(out[0]!.chunkId).toBe(2);
    // b is 2nd by document in both legs.
    expect(out[1]!.score).toBeCloseTo(2 / 62, 12);
  });
});

describe("answers and snippets", () => {
  it("extracts the sentences that answer, each cited", () => {
    const sources = [
      { n: 1, content: "Check pod logs via kubectl logs. Talk with developers about the app." },
      { n: 2, content: "Disks fill up over time.\n\n- Check the filesystem usage with df." },
    ];
    const { answer, used } = extractiveAnswer("how to check pod logs", sources, 2);
    expect(answer).toMatch(/^Check pod logs via kubectl logs\. \[1\]/);
    expect(used).toContain(1);
    expect(extractiveAnswer("nothing matches here zzz", sources).answer).toBe(NOT_FOUND);
    expect(splitSentences("- check the first item here\n- check the second item there")).toEqual([
      "check the first item here",
      "check the second item there",
    ]);
  });

  it("highlights query words by their parts", () => {
    const s = highlight(
      "Check the PersistentVolumeClaim usage and the kubelet volume stats.",
      new Set(terms("volume claim")),
    );
    expect(s).toContain("<mark>PersistentVolumeClaim</mark>");
    expect(s).toContain("<mark>volume</mark>");
  });

  it("escapes the text of a highlighted passage and keeps only its own <mark> tags", () => {
    const s = highlight(
      `Restart the volume <script>alert("x")</script> & <mark>fake</mark> ${MARK_START}stray${MARK_END} <b>volume</b>`,
      new Set(terms("volume")),
    );
    expect(s).not.toMatch(/<(?!\/?mark>)/); // no tag other than <mark>/</mark>
    expect(s).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;");
    expect(s).toContain("&lt;mark&gt;fake&lt;/mark&gt;"); // the document's own <mark> is text
    expect(s).toContain(" stray "); // marker characters in the text are not highlights
    expect(s).toContain("<mark>&lt;b&gt;volume&lt;/b&gt;</mark>");
    expect(s.match(/<mark>/g)).toHaveLength(2);
    expect(snippetToText(s)).toBe(
      'Restart the *volume* <script>alert("x")</script> & <mark>fake</mark> stray *<b>volume</b>*',
    );
  });
});

describe("incident queries", () => {
  it("search by the title, source and the values of sample and labels, not their keys", () => {
    const q = incidentQuery({
      id: "i-1",
      kind: "alert",
      fingerprint: "f",
      title: "KubePodCrashLooping",
      status: "open",
      severity: "critical",
      source: "prometheus",
      firstSeen: "2026-01-01T00:00:00Z",
      lastSeen: "2026-01-01T00:00:00Z",
      count: 1,
      sample: { annotations: { description: "pod api-7d9 restarting" }, restarts: 12, tags: ["payments"] },
      latest: {},
      evidence: {},
      labels: { alertname: "KubePodCrashLooping", namespace: "payments" },
      resolvedAt: null,
    });
    expect(q.split("\n")).toEqual([
      "KubePodCrashLooping",
      "prometheus",
      "pod api-7d9 restarting",
      "12",
      "payments",
    ]);
    expect(q).not.toMatch(/annotations|description|alertname|restarts|tags/);
  });
});
