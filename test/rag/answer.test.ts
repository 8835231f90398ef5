import { describe, expect, it } from "vitest";
import { extractiveAnswer, NOT_FOUND, splitSentences } from "../../src/rag/answer.ts";

describe("extractive answers", () => {
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
});
