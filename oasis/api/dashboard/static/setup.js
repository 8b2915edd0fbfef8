// The set-up page: a form built from the experiment file's JSON Schema (the pydantic models the
// command line validates with), checked as you type by the server, shown and downloaded as YAML.
"use strict";

let defs = {};
let timer = null;

function resolve(spec) {
  if (spec.$ref) return { ...defs[spec.$ref.split("/").pop()], ...strip(spec) };
  const options = (spec.anyOf || []).filter((s) => s.type !== "null");
  if (spec.anyOf && options.length === 1) return { ...resolve(options[0]), ...strip(spec) };
  return spec;
}

function strip(spec) {
  const { $ref, anyOf, ...rest } = spec;
  return rest;
}

function kind(spec) {
  if (spec.enum) return "enum";
  if (spec.type === "boolean") return "bool";
  if (spec.type === "integer" || spec.type === "number") return spec.type;
  if (spec.type === "string") return "string";
  return "json";  // lists, unions, mappings: typed as JSON
}

function shown(value) {
  if (value === undefined) return "";
  if (value === null) return "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function input(path, spec) {
  const k = kind(spec);
  const attrs = { "data-path": path, "data-kind": k, id: `f-${path}`, name: path };
  if (k === "enum" || k === "bool") {
    const values = k === "bool" ? [true, false] : spec.enum;
    return h("select", attrs, h("option", { value: "" }, `default (${shown(spec.default)})`),
      ...values.map((v) => h("option", { value: String(v) }, String(v))));
  }
  const type = k === "integer" || k === "number" ? "number" : "text";
  return h("input", { ...attrs, type, step: "any", placeholder: shown(spec.default) });
}

function fields(properties, prefix) {
  return Object.entries(properties).map(([name, raw]) => {
    const spec = resolve(raw);
    const path = prefix ? `${prefix}.${name}` : name;
    if (spec.type === "object" && spec.properties) {
      return h("details", { "data-section": path }, h("summary", {}, name),
        spec.description ? h("p", {}, spec.description.split("\n\n")[0]) : null,
        ...fields(spec.properties, path));
    }
    return h("div", { class: "field" }, h("label", { for: `f-${path}` }, name), input(path, spec),
      spec.description ? h("small", {}, spec.description) : null);
  });
}

function value(el) {
  const text = el.value.trim();
  switch (el.dataset.kind) {
    case "integer": case "number": return Number(text);
    case "bool": return text === "true";
    case "json": try { return JSON.parse(text); } catch { return text; }
    default: return el.value;
  }
}

function experiment() {
  const raw = {};
  for (const el of document.querySelectorAll("[data-path]")) {
    if (el.value.trim() === "") continue;
    const keys = el.dataset.path.split(".");
    let node = raw;
    for (const key of keys.slice(0, -1)) node = node[key] = node[key] || {};
    node[keys[keys.length - 1]] = value(el);
  }
  return raw;
}

async function check() {
  const response = await fetch("/dashboard/setup/check", { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(experiment()) });
  const answer = await response.json();
  const valid = response.ok && !answer.error;
  $("error").textContent = response.ok ? (answer.error || "valid: oasis run would start it")
    : answer.message;
  $("error").className = valid ? "ok" : "bad";
  $("verdict").textContent = valid ? "valid" : "invalid";
  $("verdict").className = `pill ${valid ? "valid" : "invalid"}`;
  $("yaml").textContent = answer.yaml || "";
  $("download").href = URL.createObjectURL(new Blob([answer.yaml || ""], { type: "text/yaml" }));
  document.body.dataset.checked = String(Number(document.body.dataset.checked || 0) + 1);
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(check, 250);
}

async function launch(event) {
  event.preventDefault();
  const say = (text, bad) => {
    $("launch-message").textContent = text;
    $("launch-message").className = bad ? "bad" : "ok";
  };
  const response = await fetch("/control/launch", { method: "POST", body: JSON.stringify(experiment()),
    headers: { "Content-Type": "application/json",
      Authorization: `Bearer ${$("launch-token").value.trim()}` } });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) return say(`refused (${response.status}): ${answer.message}`, true);
  say(`started (process ${answer.pid}, ${answer.folder}); opening ${answer.url} once it answers`);
  $("launch").dataset.url = answer.url;
  for (;;) {  // another port: an opaque answer is enough to know it serves
    try { await fetch(answer.url, { mode: "no-cors" }); break; } catch { /* not yet */ }
    await new Promise((done) => setTimeout(done, 500));
  }
  window.location.href = answer.url;
}

async function start() {
  const schema = await (await fetch("/dashboard/setup/schema")).json();
  defs = schema.$defs || {};
  $("fields").replaceChildren(...fields(schema.properties, ""));
  $("experiment").addEventListener("input", later);
  $("experiment").addEventListener("change", later);
  $("launch").addEventListener("submit", launch);
  await check();
  document.body.dataset.loaded = "yes";
}

start();
