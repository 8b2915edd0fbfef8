// The DOM helpers every page shares (loaded before the page's own script): find by id, build.
"use strict";

const $ = (id) => document.getElementById(id);

// An element with attributes (``on*`` keys add listeners, ``dataset`` fills data-*) and
// children (nodes, or anything else as text; null and undefined are left out).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}
