// Small SVG charts drawn by hand: line charts with labelled axes, bar charts, and a cascade tree.
// No library: the dashboard must work offline and these three shapes are all it draws.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777",
  "#65a30d", "#475569", "#ea580c"];

function svgEl(tag, attrs, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// Round tick steps to 1, 2 or 5 times a power of ten.
// Integer axes (steps, counts) never get fractional ticks.
function niceTicks(min, max, count, integer) {
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  if (integer) step = Math.max(1, Math.round(step));
  const ticks = [];
  // From the tick at or below min to the first tick at or above max.
  for (let t = Math.floor(min / step) * step; ; t += step) {
    ticks.push(Number(t.toPrecision(12)));
    if (t >= max - step * 1e-9) break;
  }
  return ticks;
}

function formatTick(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
  if (a >= 1e3) return (v / 1e3).toFixed(a >= 1e4 ? 0 : 1) + "k";
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

// A chart frame: axes, ticks and labels. Returns the SVG and the value -> pixel scales.
function frame(opts, xMin, xMax, yMin, yMax) {
  const width = opts.width || 560, height = opts.height || 210;
  const m = { left: 62, right: 14, top: 12, bottom: 44 };
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%",
    class: "chart", role: "img", "aria-label": opts.title || "" });
  const xTicks = niceTicks(xMin, xMax, 6, true);
  const yTicks = niceTicks(yMin, yMax, 4, Boolean(opts.integerY));
  const x0 = Math.min(xMin, xTicks[0]), x1 = Math.max(xMax, xTicks[xTicks.length - 1]);
  const y0 = Math.min(yMin, yTicks[0]), y1 = Math.max(yMax, yTicks[yTicks.length - 1]);
  const sx = (v) => m.left + ((v - x0) / (x1 - x0 || 1)) * (width - m.left - m.right);
  const sy = (v) => height - m.bottom - ((v - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);
  for (const t of yTicks) {
    svg.append(svgEl("line", { x1: m.left, x2: width - m.right, y1: sy(t), y2: sy(t),
      class: "grid" }));
    svg.append(svgEl("text", { x: m.left - 6, y: sy(t) + 4, "text-anchor": "end",
      class: "tick" }, formatTick(t)));
  }
  if (!opts.categories) {
    for (const t of xTicks) {
      svg.append(svgEl("text", { x: sx(t), y: height - m.bottom + 16, "text-anchor": "middle",
        class: "tick" }, formatTick(t)));
    }
  }
  svg.append(svgEl("line", { x1: m.left, x2: width - m.right, y1: height - m.bottom,
    y2: height - m.bottom, class: "axis" }));
  svg.append(svgEl("line", { x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom,
    class: "axis" }));
  svg.append(svgEl("text", { x: (m.left + width - m.right) / 2, y: height - 6,
    "text-anchor": "middle", class: "axis-label" }, opts.xLabel || ""));
  const mid = (m.top + height - m.bottom) / 2;
  svg.append(svgEl("text", { x: 14, y: mid, transform: `rotate(-90 14 ${mid})`,
    "text-anchor": "middle", class: "axis-label" }, opts.yLabel || ""));
  return { svg, sx, sy, m, width, height };
}

function colorOf(series, i) {
  return series.color || PALETTE[i % PALETTE.length];
}

function legend(series) {
  const box = document.createElement("div");
  box.className = "legend";
  series.forEach((s, i) => {
    const name = s.name;
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = colorOf(s, i);
    item.append(swatch, document.createTextNode(name));
    box.append(item);
  });
  return box;
}

// series: [{name, points: [[x, y], ...]}]. The SVG carries data-points: the longest series' length.
function lineChart(container, opts) {
  const series = opts.series.filter((s) => s.points.length);
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  // Counts (agents, actions, levels) get whole-number ticks.
  opts = { ...opts, integerY: ys.every((y) => Number.isInteger(y)) };
  const { svg, sx, sy } = frame(opts, xs.length ? Math.min(...xs) : 0,
    xs.length ? Math.max(...xs) : 1, Math.min(0, ...ys), ys.length ? Math.max(...ys) : 1);
  svg.dataset.chart = opts.id;
  svg.dataset.points = String(Math.max(0, ...series.map((s) => s.points.length)));
  series.forEach((s, i) => {
    const color = colorOf(s, opts.series.indexOf(s));
    const d = s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
    const line = svgEl("polyline", { points: d, fill: "none", stroke: color,
      "stroke-width": 1.8, "data-series": s.name });
    line.append(svgEl("title", {}, s.name));
    svg.append(line);
    if (s.points.length <= 60) {
      for (const p of s.points) {
        const dot = svgEl("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 2.4, fill: color });
        dot.append(svgEl("title", {}, `${s.name}: ${formatTick(p[1])} at ${opts.xLabel} ${p[0]}`));
        svg.append(dot);
      }
    }
  });
  container.replaceChildren(svg);
  if (opts.series.length > 1) container.append(legend(opts.series));
  if (!xs.length) container.append(Object.assign(document.createElement("p"),
    { className: "muted", textContent: "no data yet" }));
}

// series: [{name, points: [[x, y], ...]}], one bar per x with the series stacked in order. Each
// series is a <g data-series>; the SVG carries data-points: the number of bars.
function stackedBars(container, opts) {
  const xs = [...new Set(opts.series.flatMap((s) => s.points.map((p) => p[0])))]
    .sort((a, b) => a - b);
  const tops = new Map(xs.map((x) => [x, 0]));
  for (const s of opts.series) for (const [x, y] of s.points) tops.set(x, tops.get(x) + y);
  const { svg, sx, sy } = frame(opts, xs.length ? xs[0] - 0.5 : 0,
    xs.length ? xs[xs.length - 1] + 0.5 : 1, 0, Math.max(1e-9, ...tops.values()));
  svg.dataset.chart = opts.id;
  svg.dataset.points = String(xs.length);
  const width = Math.max(1, (sx(1) - sx(0)) * 0.8);
  const base = new Map(xs.map((x) => [x, 0]));
  opts.series.forEach((s, i) => {
    const group = svgEl("g", { fill: colorOf(s, i), "data-series": s.name });
    for (const [x, y] of s.points) {
      const below = base.get(x);
      base.set(x, below + y);
      const rect = svgEl("rect", { x: sx(x) - width / 2, width, y: sy(below + y),
        height: Math.max(0, sy(below) - sy(below + y)) });
      rect.append(svgEl("title", {}, `${s.name}: ${y.toFixed(3)} s at ${opts.xLabel} ${x}`));
      group.append(rect);
    }
    svg.append(group);
  });
  container.replaceChildren(svg);
  if (opts.series.length) container.append(legend(opts.series));
  if (!xs.length) container.append(Object.assign(document.createElement("p"),
    { className: "muted", textContent: "no data yet" }));
}

// bars: [{label, value, note}] drawn as vertical bars over categorical x.
// bars: [{label, value, note?, lo?, hi?}]; lo and hi, where given, are drawn as a whisker.
function barChart(container, opts) {
  const values = opts.bars.flatMap((b) => [b.value, b.lo, b.hi].filter(Number.isFinite));
  const { svg, sx, sy, m, height } = frame({ ...opts, categories: true }, 0, opts.bars.length,
    Math.min(0, ...values), Math.max(1e-9, ...values));
  svg.dataset.chart = opts.id;
  const slot = sx(1) - sx(0);
  opts.bars.forEach((b, i) => {
    const top = sy(Math.max(0, b.value)), bottom = sy(Math.min(0, b.value));
    const rect = svgEl("rect", { x: sx(i) + slot * 0.2, width: slot * 0.6, y: top,
      height: Math.max(1, bottom - top), fill: PALETTE[i % PALETTE.length] });
    const range = Number.isFinite(b.lo) ? ` (${b.lo.toFixed(2)} to ${b.hi.toFixed(2)})` : "";
    rect.append(svgEl("title", {}, `${b.label}: ${b.value.toFixed(2)}${range}`));
    svg.append(rect);
    if (Number.isFinite(b.lo) && Number.isFinite(b.hi)) {
      const x = sx(i) + slot / 2, w = slot * 0.12;
      const whisker = svgEl("g", { class: "interval", "data-lo": String(b.lo), "data-hi": String(b.hi) });
      whisker.append(svgEl("line", { x1: x, x2: x, y1: sy(b.lo), y2: sy(b.hi), stroke: "#111" }),
        svgEl("line", { x1: x - w, x2: x + w, y1: sy(b.lo), y2: sy(b.lo), stroke: "#111" }),
        svgEl("line", { x1: x - w, x2: x + w, y1: sy(b.hi), y2: sy(b.hi), stroke: "#111" }));
      svg.append(whisker);
    }
    svg.append(svgEl("text", { x: sx(i) + slot / 2, y: height - m.bottom + 16,
      "text-anchor": "middle", class: "tick" }, b.label + (b.note ? ` (${b.note})` : "")));
  });
  container.replaceChildren(svg);
}

// nodes: [{post_id, user_id, parent_post_id, depth, created_step}], parents before children.
function treeChart(container, nodes, rootId) {
  const children = new Map();
  for (const n of nodes) {
    if (n.post_id === rootId) continue;
    const parent = children.has(n.parent_post_id) || nodes.some((o) => o.post_id === n.parent_post_id)
      ? n.parent_post_id : rootId;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(n);
  }
  // Leaves get consecutive slots; a parent sits over the middle of its children.
  const pos = new Map();
  let slot = 0, maxDepth = 0;
  const place = (id, depth) => {
    maxDepth = Math.max(maxDepth, depth);
    const kids = children.get(id) || [];
    if (!kids.length) { pos.set(id, [slot++, depth]); return; }
    kids.forEach((k) => place(k.post_id, depth + 1));
    const xs = kids.map((k) => pos.get(k.post_id)[0]);
    pos.set(id, [(Math.min(...xs) + Math.max(...xs)) / 2, depth]);
  };
  place(rootId, 0);
  // Drawn at its own pixel size, never scaled to the card: a wide level scrolls sideways (the
  // container scrolls) instead of shrinking into an unreadable sliver.
  const SLOT = 40, LEVEL = 80;
  const width = Math.max(560, slot * SLOT + 80);
  const height = 70 + maxDepth * LEVEL;
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width: String(width),
    height: String(height), class: "tree", "data-nodes": String(pos.size) });
  const px = (s) => 60 + (slot > 1 ? s * SLOT : (width - 120) / 2);
  const py = (d) => 30 + d * LEVEL;
  for (const [parent, kids] of children) {
    if (!pos.has(parent)) continue;
    const [x0, d0] = pos.get(parent);
    for (const k of kids) {
      const [x1, d1] = pos.get(k.post_id);
      svg.append(svgEl("line", { x1: px(x0), y1: py(d0), x2: px(x1), y2: py(d1), class: "edge" }));
    }
  }
  const byId = new Map(nodes.map((n) => [n.post_id, n]));
  for (const [id, [x, d]] of pos) {
    const n = byId.get(id);
    const dot = svgEl("circle", { cx: px(x), cy: py(d), r: id === rootId ? 7 : 4.5,
      class: id === rootId ? "root" : (n && n.is_quote ? "quote" : "repost") });
    if (n) dot.append(svgEl("title", {},
      `post ${n.post_id} by user ${n.user_id}, step ${n.created_step}, depth ${n.depth}`));
    svg.append(dot);
    // who: the user, under the dot (the root also names its post)
    const who = n ? `u${n.user_id}` : "";
    svg.append(svgEl("text", { x: px(x), y: py(d) + 19, "text-anchor": "middle",
      class: "node-label", "data-post": String(id) }, id === rootId ? `post ${id} ${who}` : who));
  }
  for (let d = 0; d <= maxDepth; d++) {
    svg.append(svgEl("text", { x: 4, y: py(d) - 10, class: "tick" }, `depth ${d}`));
  }
  container.replaceChildren(svg);
}
