// The dashboard: reads the REST API and /dashboard/* once a second at most, renders with the DOM.
"use strict";

const state = { series: [], lastStep: -1, overview: null, view: null, postsMode: "top",
  postsOffset: 0, postsQuery: "", userId: null, actionsAfter: 0, feedsBefore: null,
  commands: [], token: sessionStorage.getItem("oasis-token") || "" };

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

function simTime(seconds) {
  if (seconds === null || seconds === undefined) return "no step yet";
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ") + " (simulated)";
}

function userLink(id) {
  return h("a", { href: `#user/${id}` }, `user ${id}`);
}

// ---- header and overview -------------------------------------------------------------------

async function refreshOverview() {
  const o = await api("/dashboard/overview");
  state.overview = o;
  $("run-name").textContent = o.name;
  $("status").textContent = o.status;
  $("status").className = `pill ${o.status}`;
  $("step").textContent = String(o.current_step);
  $("steps-done").textContent = String(o.current_step + 1);
  $("total-steps").textContent = o.total_steps === null ? "?" : String(o.total_steps);
  $("sim-time").textContent = simTime(o.sim_time);
  $("users").textContent = o.users.toLocaleString("en");
  $("posts").textContent = o.posts.toLocaleString("en");
  const done = o.total_steps ? (o.current_step + 1) / o.total_steps : 0;
  $("progress-bar").style.width = `${Math.min(100, Math.max(0, done * 100))}%`;
  if (o.current_step > state.lastStep) await loadSeries();
  if (!document.body.dataset.loaded) {
    // Milliseconds from navigation start to the first drawn overview (bench/api_load.py).
    document.body.dataset.loadedMs = String(Math.round(performance.now()));
    document.body.dataset.loaded = "yes";
  }
}

async function loadSeries() {
  let after = state.series.length ? state.series[state.series.length - 1].step : -1;
  for (;;) {
    const page = await api(`/dashboard/series?after=${after}`);
    state.series.push(...page.items);
    if (page.next_after === null) break;
    after = page.next_after;
  }
  state.lastStep = state.series.length ? state.series[state.series.length - 1].step : -1;
  drawOverview();
}

function pointsOf(key) {
  return state.series.map((p) => [p.step, p.figures[key] || 0]);
}

function drawOverview() {
  const s = state.series;
  lineChart($("chart-active"), { id: "active", xLabel: "step", yLabel: "agents",
    series: [{ name: "active agents", points: pointsOf("active") }] });
  const totals = {};
  for (const p of s) for (const [k, v] of Object.entries(p.actions_by_type)) {
    totals[k] = (totals[k] || 0) + v;
  }
  const types = Object.keys(totals).sort((a, b) => totals[b] - totals[a]);
  const shown = types.slice(0, 7), rest = types.slice(7);
  const typeSeries = shown.map((t) => ({ name: t,
    points: s.map((p) => [p.step, p.actions_by_type[t] || 0]) }));
  if (rest.length) typeSeries.push({ name: `other (${rest.length} types)`,
    points: s.map((p) => [p.step, rest.reduce((n, t) => n + (p.actions_by_type[t] || 0), 0)]) });
  if (!typeSeries.length) typeSeries.push({ name: "actions", points: pointsOf("actions") });
  lineChart($("chart-by-type"), { id: "by-type", xLabel: "step", yLabel: "actions",
    series: typeSeries });
  lineChart($("chart-failed"), { id: "failed", xLabel: "step", yLabel: "actions",
    series: [{ name: "failed actions", points: pointsOf("failed_actions") }] });
  const llm = [["requests", "requests"], ["failures", "failed requests"], ["retries", "retries"],
    ["invalid_outputs", "unparsed answers"], ["cache_hits", "answer-cache hits"],
    ["judge_requests", "stance-judge requests"]]
    .filter(([k]) => s.some((p) => k in p.figures));
  lineChart($("chart-llm"), { id: "llm", xLabel: "step", yLabel: "requests",
    series: llm.map(([k, name]) => ({ name, points: pointsOf(k) })) });
  const tokenKeys = [...new Set(s.flatMap((p) => Object.keys(p.figures)))]
    .filter((k) => k.includes("tokens")).sort();
  lineChart($("chart-tokens"), { id: "tokens", xLabel: "step", yLabel: "tokens",
    series: tokenKeys.map((k) => ({ name: k.replaceAll("_", " "), points: pointsOf(k) })) });
  stackedBars($("chart-phases"), { id: "phases", xLabel: "step", yLabel: "seconds",
    series: phaseSeries(s) });
}

// Each phase's seconds per step. A step's late phases (its commit, ...) come with the next
// step's figures as previous_step_phases; they are put back with their own step here.
function phaseSeries(points) {
  const perStep = points.map((p, i) => ({ ...p.phases,
    ...(points[i + 1] && points[i + 1].step === p.step + 1 ? points[i + 1].previous_step_phases
      : {}) }));
  const names = [...new Set(perStep.flatMap((phases) => Object.keys(phases)))];
  return names.map((name) => ({ name: name.replaceAll("_", " "),
    points: points.map((p, i) => [p.step, perStep[i][name] || 0]) }));
}

// ---- cascades ------------------------------------------------------------------------------

async function showCascades() {
  const top = await api("/dashboard/cascades?limit=6");
  const body = $("cascade-table").querySelector("tbody");
  body.replaceChildren();
  if (!top.length) body.append(h("tr", {}, h("td", { colspan: 7, class: "muted" },
    "no post has been shared yet")));
  $("cascade-table").dataset.ready = "";
  const all = await Promise.all(top.map((c) => api(`/posts/${c.post_id}/cascade?limit=1`)));
  const curves = top.map((c, i) => ({ name: `post ${c.post_id}`, figures: all[i] }));
  for (const [i, c] of top.entries()) {
    const figures = all[i];
    const row = h("tr", { class: "clickable", dataset: { root: c.post_id },
      onclick: () => drawTree(c.post_id, row) },
      h("td", {}, String(c.post_id)), h("td", {}, userLink(c.user_id)),
      h("td", { class: "content", title: c.content }, c.content), h("td", {}, String(c.shares)),
      h("td", { class: "scale" }, String(figures.scale)),
      h("td", { class: "depth" }, String(figures.depth)),
      h("td", { class: "breadth" }, String(figures.max_breadth)));
    body.append(row);
  }
  const real = await api("/dashboard/reference").catch(() => ({ topic: null }));
  const lastStep = state.overview ? Math.max(0, state.overview.current_step) : 0;
  for (const [key, id, label, realValue] of [["scale", "chart-scale", "users", real.num_users],
    ["depth", "chart-depth", "levels", real.max_depth],
    ["max_breadth", "chart-breadth", "users on one level", null]]) {
    const series = curves.map((c) => ({ name: c.name,
      points: c.figures.over_time.map((p) => [p.step, p[key]]) }));
    if (real.topic && realValue !== null) series.push({ name: `real cascade (${realValue})`,
      points: [[0, realValue], [lastStep, realValue]], color: "#111827" });
    lineChart($(id), { id: `cascade-${key}`, xLabel: "step", yLabel: label, series });
  }
  $("cascade-reference").textContent = real.topic
    ? `Real cascade of topic ${real.topic} (all_topics.csv): ${real.num_users} users, depth ` +
      `${real.max_depth}; drawn in black on the scale and depth charts.` : "";
  $("cascade-table").dataset.ready = "yes";
}

async function drawTree(rootId, row) {
  document.querySelectorAll("#cascade-table tr.selected").forEach((r) => r.classList.remove("selected"));
  if (row) row.classList.add("selected");
  const limit = 300;
  const cascade = await api(`/posts/${rootId}/cascade?limit=${limit}`);
  const nodes = cascade.nodes.items;
  $("tree-title").textContent = `Cascade tree of post ${rootId}`;
  $("tree-note").textContent = cascade.nodes.next_offset === null
    ? `${nodes.length} posts; red: root, blue: reposts, orange: quotes`
    : `a sample: the first ${nodes.length} posts of a larger cascade (scale ${cascade.scale} users), ` +
      "which form a connected part of the tree";
  treeChart($("cascade-tree"), nodes, rootId);
}

// ---- posts ---------------------------------------------------------------------------------

function describe(p) {
  if (p.kind === "repost") return `repost of post ${p.original_post_id}`;
  if (p.kind === "quote") {
    return `${p.content} (quoting post ${p.original_post_id}: "${p.quoted_content ?? ""}")`;
  }
  return p.content;
}

function postCard(p, onclick) {
  const kind = p.kind === "post" ? "" : ` · ${p.kind} of post ${p.original_post_id}`;
  return h("div", { class: "post", dataset: { post: p.post_id }, onclick },
    h("div", { class: "meta" }, `post ${p.post_id} by `, userLink(p.user_id),
      ` · step ${p.created_step}${kind}`),
    h("div", { class: "text" }, p.content),
    p.kind === "quote" ? h("div", { class: "quoted" }, p.quoted_content ?? "") : null,
    h("div", { class: "meta" }, `♥ ${p.num_likes} · ✗ ${p.num_dislikes} · shares ${p.num_shares}` +
      (p.score !== undefined ? ` · engagement ${p.score}` : "")));
}

async function showPosts(reset) {
  if (reset) { state.postsOffset = 0; $("post-list").replaceChildren(); }
  const step = state.overview ? state.overview.current_step : 0;
  const mode = state.postsMode;
  let path;
  if (mode === "search") path = `/posts/search?q=${encodeURIComponent(state.postsQuery)}`;
  else if (mode === "trending") path = "/posts/trending?window=3";
  else path = `/posts/top?window=${Math.min(10000, Math.max(1, step + 1))}`;
  $("posts-title").textContent = { top: "Top posts of the run (by likes)",
    trending: "Trending: engagement in the last 3 steps",
    search: `Posts containing “${state.postsQuery}”` }[mode];
  const page = await api(`${path}&limit=20&offset=${state.postsOffset}`);
  for (const p of page.items) $("post-list").append(postCard(p, () => showPost(p.post_id)));
  if (!page.items.length && reset) $("post-list").append(h("p", { class: "muted" }, "no posts"));
  state.postsOffset = page.next_offset || 0;
  $("posts-more").hidden = page.next_offset === null;
}

async function showPost(id) {
  const d = await api(`/posts/${id}?limit=20`);
  const list = (title, page, render) => [h("h4", {}, `${title} (${page.items.length}` +
    `${page.next_offset === null ? "" : "+"})`), ...page.items.map(render)];
  $("post-detail").className = "";
  $("post-detail").replaceChildren(postCard(d.post),
    ...list("Comments", d.comments, (c) => h("div", { class: "post" },
      h("div", { class: "meta" }, "comment by ", userLink(c.user_id), ` · step ${c.created_step}` +
        ` · ♥ ${c.num_likes} · ✗ ${c.num_dislikes}`), h("div", { class: "text" }, c.content))),
    ...list("Reposts", d.reposts, (p) => postCard(p)),
    ...list("Quotes", d.quotes, (p) => postCard(p)),
    h("p", {}, h("a", { href: "#cascades", onclick: () => setTimeout(() => drawTree(d.root_id), 50) },
      `cascade of post ${d.root_id}`)));
}

// ---- a user's page -------------------------------------------------------------------------

async function findUser(event) {
  event.preventDefault();
  const q = $("user-query").value.trim();
  if (/^\d+$/.test(q)) { location.hash = `#user/${q}`; return; }
  const page = await api(`/users?q=${encodeURIComponent(q)}&limit=10`);
  $("user-matches").replaceChildren(...page.items.map((u) =>
    h("a", { href: `#user/${u.user_id}`, class: "match" }, `${u.user_name} (${u.user_id}) `)));
}

// A profile text worth a line: a non-empty string (never null, nor its JSON spelling).
function _said(text) {
  return typeof text === "string" && text.trim() !== "" && text !== "null";
}

async function showUser(id) {
  state.userId = id;
  $("user-query").value = String(id);
  let u;
  try { u = await api(`/users/${id}`); } catch (error) {
    $("user-profile").replaceChildren(h("p", { class: "bad" }, error.message));
    return;
  }
  $("user-profile").className = "";
  // replaceChildren writes a null out as the text "null": the lines left out are filtered
  $("user-profile").replaceChildren(...[
    h("div", {}, h("b", {}, u.name), ` @${u.user_name} · user ${u.user_id}`),
    h("div", { class: "counts-line" }, h("span", { id: "followers" }, String(u.num_followers)),
      u.num_followers === 1 ? " follower · " : " followers · ",
      h("span", { id: "followees" }, String(u.num_followings)), " following · ",
      u.created_step < 0 ? "in the initial population" : `joined at step ${u.created_step}`),
    _said(u.bio) ? h("p", {}, u.bio) : null,
    _said(u.persona) ? h("p", { class: "muted" }, u.persona) : null].filter(Boolean));
  state.actionsAfter = 0; state.feedsBefore = null;
  $("user-actions").replaceChildren(); $("feed-log").replaceChildren();
  await Promise.all([moreActions(), moreFeeds(), showInterviews(id)]);
}

async function moreActions() {
  const page = await api(`/users/${state.userId}/actions?limit=30&after=${state.actionsAfter}`);
  let table = $("user-actions").querySelector("table");
  if (!table) {
    table = h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "step"), h("th", {}, "action"),
      h("th", {}, "arguments"), h("th", {}, "outcome"))), h("tbody"));
    $("user-actions").append(table);
  }
  for (const t of page.items) {
    const args = Object.entries(t.args).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
    table.tBodies[0].append(h("tr", {}, h("td", {}, String(t.step)), h("td", {}, t.action),
      h("td", { class: "content", title: args }, args),
      h("td", { class: t.ok ? "ok" : "bad" }, t.ok ? "ok" : t.reason || "failed")));
  }
  if (!page.items.length && !state.actionsAfter) $("user-actions").replaceChildren(
    h("p", { class: "muted" }, "no actions yet"));
  state.actionsAfter = page.next_cursor || 0;
  $("actions-more").hidden = page.next_cursor === null;
}

async function moreFeeds() {
  const before = state.feedsBefore === null ? "" : `&before=${state.feedsBefore}`;
  const page = await api(`/dashboard/users/${state.userId}/feeds?limit=5${before}`);
  for (const f of page.items) {
    $("feed-log").append(h("div", { class: "feed-step", dataset: { step: f.step } },
      h("div", { class: "meta" }, `step ${f.step}: ${f.posts.length} post${f.posts.length === 1 ? "" : "s"}`),
      h("ol", {}, f.posts.map((p) => h("li", { dataset: { post: p.post_id } },
        `post ${p.post_id} by user ${p.user_id}: `, describe(p).slice(0, 140))))));
  }
  if (!page.items.length && state.feedsBefore === null) $("feed-log").append(
    h("p", { class: "muted" }, "no feed was logged for this user yet"));
  state.feedsBefore = page.next_before;
  $("feeds-more").hidden = page.next_before === null;
}

async function showInterviews(id) {
  const answers = await api(`/dashboard/users/${id}/interviews?limit=50`);
  const label = { 1: "+1", 0: "0", "-1": "−1" };
  $("user-interviews").className = "";
  $("user-interviews").replaceChildren(...(answers.length ? answers.map((a) =>
    h("p", {}, h("span", { class: `stance s${a.stance}`, title: "keyword stance" },
      label[a.stance]), `step ${a.step}: ${a.answer}`)) :
    [h("p", { class: "muted" }, "not interviewed")]));
  const stored = await api(`/dashboard/users/${id}/stances`);
  const points = stored.items.length ? stored.items.map((p) => [p.step, p.stance])
    : answers.map((a) => [a.step, a.stance]).reverse();
  if (points.length) {
    const name = stored.items.length ? "stored stance" : "keyword stance of answers";
    lineChart($("user-stance"), { id: "user-stance", xLabel: "step", yLabel: "stance (−1..+1)",
      height: 170, series: [{ name, points }] });
  } else $("user-stance").replaceChildren();
}

// ---- experiments ---------------------------------------------------------------------------

async function showExperiments() {
  const pol = await api("/dashboard/polarization");
  const groups = Object.entries(pol.groups);
  const stored = pol.source === "stances";
  $("polarization-title").textContent = stored
    ? "Polarization: the agents' stored stances by step"
    : "Polarization: stance of interview answers by round";
  if (stored && groups.length > 1) {
    // one line per seed group (and all agents): the mean stance after each step
    lineChart($("chart-polarization"), { id: "polarization", xLabel: "step",
      yLabel: "mean stance (−1..+1)", series: groups.map(([g, rounds]) => ({
        name: g, points: rounds.map((r) => [r.step, r.mean_stance]) })) });
    $("polarization-note").textContent = "stored stances, mean per group after each step" +
      (pol.sampled_every > 1 ? `; agents with ids divisible by ${pol.sampled_every}` : "");
  } else if (groups.length) {
    const series = groups.flatMap(([g, rounds]) => [
      { name: `${g}: % positive`, points: rounds.map((r) => [r.step, 100 * r.positive]),
        color: groups.length === 1 ? "#16a34a" : undefined },
      { name: `${g}: % neutral`, points: rounds.map((r) => [r.step, 100 * r.neutral]),
        color: groups.length === 1 ? "#64748b" : undefined },
      { name: `${g}: % negative`, points: rounds.map((r) => [r.step, 100 * r.negative]),
        color: groups.length === 1 ? "#dc2626" : undefined }]);
    lineChart($("chart-polarization"), { id: "polarization",
      xLabel: stored ? "step" : "step (interview round)",
      yLabel: stored ? "% of agents" : "% of answers", series });
    $("polarization-note").textContent = stored
      ? "stored stances; positive above +1/3, negative below −1/3" +
        (pol.sampled_every > 1 ? `; agents with ids divisible by ${pol.sampled_every}` : "")
      : `${pol.answers_read} interview answers, stance by keyword classifier`;
  } else {
    $("chart-polarization").replaceChildren();
    $("polarization-note").textContent = "This run has no stances and no interview answers.";
  }
  const herd = await api("/dashboard/herd");
  if (herd.groups.length) {
    barChart($("chart-herd"), { id: "herd", xLabel: "treatment group",
      yLabel: "agents' mean score (votes)",
      bars: herd.groups.map((g) => ({ label: g.group, value: g.agents_mean_score || 0,
        lo: g.agents_lo_score, hi: g.agents_hi_score, note: `n=${g.n}` })) });
    const tests = herd.groups.filter((g) => g.p_value !== null)
      .map((g) => `${g.group} vs control p = ${g.p_value.toFixed(2)}`).join(", ");
    $("herd-note").textContent = "the agents' votes: likes − dislikes with the planted vote " +
      "left out, mean per thread with its 95% t interval, as herd.csv" +
      (tests ? `; permutation tests: ${tests}` : "");
  } else {
    $("chart-herd").replaceChildren();
    $("herd-note").textContent = "This run is not a herd-effect experiment.";
  }
}

// ---- control -------------------------------------------------------------------------------

function controlMessage(text, bad) {
  $("control-message").textContent = text;
  $("control-message").className = bad ? "bad" : "ok";
}

async function control(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  try {
    const result = await api(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return result;
  } catch (error) {
    controlMessage(`refused (${error.status}): ${error.message}`, true);
    throw error;
  }
}

async function refreshControl() {
  if (!state.token) {
    $("control-status").textContent = "enter the token to control the run";
    return;
  }
  try {
    const s = await control("GET", "/control/status");
    $("control-status").textContent = `${s.paused ? "paused" : "running"} · ` +
      `${s.pending_commands} commands wait for the next step · ${s.open_interviews} open interviews`;
  } catch (error) {
    $("control-status").textContent = "";
  }
}

async function pauseOrResume(action) {
  const s = await control("POST", `/control/${action}`).catch(() => null);
  if (s) controlMessage(s.paused ? "paused: no step starts until you resume" : "resumed", false);
  await Promise.all([refreshControl(), refreshOverview()]);
}

async function submitCommand(event, kind) {
  event.preventDefault();
  const form = event.target, data = Object.fromEntries(new FormData(form));
  const step = state.overview ? state.overview.current_step : -1;
  let body;
  if (kind === "post") body = { user_id: Number(data.user_id), content: data.content };
  else if (kind === "agent") body = { user_name: data.user_name, name: data.name, bio: data.bio };
  else body = { user_ids: data.user_ids.split(/[ ,]+/).filter(Boolean).map(Number),
    question: data.question };
  const path = { post: "/control/posts", agent: "/control/agents", interview: "/control/interviews" }[kind];
  const accepted = await control("POST", path, body).catch(() => null);
  if (!accepted) return;
  controlMessage(`command ${accepted.command_id} queued; it takes effect at step ${step + 1}`, false);
  state.commands.unshift({ kind, body, id: accepted.command_id, step, effect: null });
  form.reset();
  drawCommands();
}

async function checkCommands() {
  for (const c of state.commands.filter((c) => !c.effect)) {
    if (c.kind === "post") {
      const t = await api(`/traces?user_id=${c.body.user_id}&action=create_post&step=${c.step + 1}&limit=50`);
      const hit = t.items.find((x) => x.args.content === c.body.content);
      if (hit) c.effect = `published as post ${hit.result.post_id} at step ${hit.step}`;
    } else if (c.kind === "agent") {
      const u = await api(`/users?q=${encodeURIComponent(c.body.user_name)}&limit=5`);
      const hit = u.items.find((x) => x.user_name === c.body.user_name);
      if (hit) c.effect = `signed up as user ${hit.user_id} at step ${hit.created_step}`;
    } else if (state.token) {
      const r = await control("GET", `/control/interviews/${c.id}`).catch(() => null);
      if (r && r.status === "answered") c.effect = r.answers.map((a) => `user ${a.user_id}: ${a.answer}`).join(" | ");
      else if (r && r.status !== "pending") c.effect = `${r.status}${r.error ? `: ${r.error}` : ""}`;
    }
  }
  drawCommands();
}

function drawCommands() {
  $("command-log").replaceChildren(...state.commands.map((c) => h("li", { dataset: { command: c.id } },
    `#${c.id} ${c.kind} (queued after step ${c.step}): `,
    h("span", { class: c.effect ? "ok effect" : "muted" }, c.effect || "waiting for the next step"))));
}

// ---- navigation and the refresh loop ---------------------------------------------------------

const views = {
  overview: () => drawOverview(),
  cascades: () => showCascades(),
  posts: () => showPosts(true),
  user: (arg) => (arg ? showUser(Number(arg)) : null),
  experiments: () => showExperiments(),
  control: () => refreshControl(),
};

async function route() {
  const [name, arg] = (location.hash.slice(1) || "overview").split("/");
  const view = name in views ? name : "overview";
  state.view = view;
  document.querySelectorAll(".view").forEach((v) => v.classList.toggle("active", v.id === `view-${view}`));
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === view));
  await views[view](arg);
}

async function tick() {
  const before = state.lastStep;
  try {
    await refreshOverview();
    if (state.view === "control") await Promise.all([refreshControl(), checkCommands()]);
    else if (state.commands.some((c) => !c.effect) && state.lastStep > before) await checkCommands();
  } catch (error) {
    $("status").textContent = "API unreachable";
  }
  // Finished runs do not change: poll slowly; running ones once a second.
  const done = state.overview && ["finished", "failed"].includes(state.overview.status);
  setTimeout(tick, done ? 5000 : 1000);
}

function init() {
  $("token").value = state.token;
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.token = $("token").value.trim();
    sessionStorage.setItem("oasis-token", state.token);
    controlMessage(state.token ? "token set" : "token cleared", false);
    refreshControl();
  });
  $("pause").addEventListener("click", () => pauseOrResume("pause"));
  $("resume").addEventListener("click", () => pauseOrResume("resume"));
  $("inject-post").addEventListener("submit", (e) => submitCommand(e, "post"));
  $("add-agent").addEventListener("submit", (e) => submitCommand(e, "agent"));
  $("interview").addEventListener("submit", (e) => submitCommand(e, "interview"));
  $("user-form").addEventListener("submit", findUser);
  $("actions-more").addEventListener("click", moreActions);
  $("feeds-more").addEventListener("click", moreFeeds);
  $("posts-more").addEventListener("click", () => showPosts(false));
  document.querySelectorAll("[data-posts]").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll("[data-posts]").forEach((o) => o.classList.toggle("active", o === b));
    state.postsMode = b.dataset.posts;
    showPosts(true);
  }));
  $("post-search").addEventListener("submit", (e) => {
    e.preventDefault();
    state.postsQuery = $("post-query").value.trim();
    if (!state.postsQuery) return;
    state.postsMode = "search";
    showPosts(true);
  });
  window.addEventListener("hashchange", route);
  refreshOverview().then(route).finally(() => setTimeout(tick, 1000));
}

init();
