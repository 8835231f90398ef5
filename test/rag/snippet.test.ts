import { describe, expect, it } from "vitest";
import { highlight, MARK_END, MARK_START, snippetToText } from "../../src/rag/snippet.ts";
import { terms } from "../../src/rag/tokens.ts";

describe("snippets", () => {
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
