// Vigil's one island: charts (uPlot), copy buttons and the streamed Ask answer. Served as a file,
// so the Content-Security-Policy keeps forbidding inline scripts.
(() => {
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const palette = ["#1a5fb4", "#c01c28", "#26a269", "#e66100", "#813d9c", "#865e3c", "#0b7285", "#5e5c64"];

  function drawChart(el) {
    if (!window.uPlot) return;
    const spec = JSON.parse(el.dataset.chart);
    const fg = css("--fg") || "#1d2430";
    const line = css("--line") || "#d9dee7";
    const axis = { stroke: fg, grid: { stroke: line, width: 1 }, ticks: { stroke: line } };
    const bars = spec.kind === "bars";
    const width = Math.max(240, el.clientWidth || el.parentElement.clientWidth || 320);
    const opts = {
      width,
      height: spec.height || 200,
      legend: { show: true },
      scales: {
        x: bars ? { time: false, range: [-0.5, spec.x.length - 0.5] } : {},
        y: spec.yMin === 0 ? { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } : {},
      },
      axes: [
        bars
          ? {
              ...axis,
              splits: () => spec.x.map((_v, i) => i),
              values: (_u, ticks) => ticks.map((t) => spec.categories?.[t] ?? ""),
            }
          : axis,
        { ...axis, label: spec.yLabel || "", size: 60 },
      ],
      series: [
        { label: bars ? spec.xLabel || "" : "time" },
        ...spec.series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          width: 2,
          // A series marked `line` (e.g. a threshold) is drawn across the bars, not as bars.
          fill: bars && !s.line ? `${palette[i % palette.length]}66` : undefined,
          paths: bars && !s.line ? uPlot.paths.bars({ size: [0.6, 60], align: 0 }) : undefined,
          points: { show: !bars && spec.x.length < 40 },
          spanGaps: false,
        })),
      ],
    };
    const x = bars ? spec.x.map((_v, i) => i) : spec.x;
    el.textContent = "";
    const plot = new uPlot(opts, [x, ...spec.series.map((s) => s.values)], el);
    new ResizeObserver(() => {
      const w = Math.max(240, el.clientWidth);
      if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: opts.height });
    }).observe(el);
  }

  function copyButtons() {
    for (const b of document.querySelectorAll("button[data-copy]")) {
      b.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(b.dataset.copy);
          b.textContent = "Copied";
        } catch {
          b.textContent = "Select and copy";
        }
      });
    }
  }

  // Ask: the form works without script (the answer is rendered by the server); with it, the answer
  // streams from /ask/stream as server-sent events (citations, delta…, done | error).
  function askStream() {
    const form = document.querySelector("form[data-ask-stream]");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      const q = form.querySelector("[name=q]").value.trim();
      if (!q) return;
      event.preventDefault();
      history.replaceState(null, "", `/ask?q=${encodeURIComponent(q)}`);
      const out = document.getElementById("answer");
      const cites = document.getElementById("citations");
      const status = document.getElementById("ask-status");
      out.textContent = "";
      cites.textContent = "";
      status.textContent = "Answering…";
      const res = await fetch("/ask/stream", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ q }),
      });
      if (!res.ok || !res.body) {
        status.textContent = `The answer failed (${res.status}).`;
        return;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const raw = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
          const type = /^event: ?(.*)$/m.exec(raw)?.[1];
          const data = raw
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.replace(/^data: ?/, ""))
            .join("\n");
          if (!data) continue;
          const payload = JSON.parse(data);
          if (type === "citations") {
            for (const c of payload) {
              const li = document.createElement("li");
              li.textContent = `[${c.n}] ${c.title}${c.heading ? ` — ${c.heading}` : ""} (${c.path})`;
              cites.append(li);
            }
          } else if (type === "delta") out.textContent += payload;
          else if (type === "error") status.textContent = payload.message || "The answer failed.";
          else if (type === "done") status.textContent = "";
        }
      }
      if (status.textContent === "Answering…") status.textContent = "";
    });
  }

  function start() {
    for (const el of document.querySelectorAll("[data-chart]")) drawChart(el);
    copyButtons();
    askStream();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
