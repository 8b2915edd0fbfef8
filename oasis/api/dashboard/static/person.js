// A person's page: join the run with a participant's token, read your timeline, act as your user.
// Everything goes through /people/* (your token) and the public read routes; your actions are
// queued for the next step and validated there as an agent's, their outcomes listed below.
"use strict";

const me = { token: sessionStorage.getItem("oasis-participant") || "", standing: null,
  feedStep: null, reply: null, searched: 0, following: new Set() };

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${me.token}` };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

function say(text, bad) {
  $("message").textContent = text;
  $("message").className = bad ? "bad" : "ok";
}

async function act(action, args) {
  const user = me.standing && me.standing.user_id;
  try {
    const queued = await api(`/people/${user}/actions`, {
      method: "POST", body: JSON.stringify({ action, args }) });
    say(`${action} queued for the next step (command ${queued.command_id})`);
    await commands();
  } catch (error) { say(error.message, true); }
}

function entry(post) {
  const author = post.user_id;
  const text = post.quote_content !== null && post.quote_content !== undefined
    ? [h("div", { class: "text" }, post.content),
       h("div", { class: "quoted" }, post.quoted_content || "")]
    : [h("div", { class: "text" }, post.content)];
  const comments = h("div", { class: "comments" });
  const button = (label, onclick) => h("button", { type: "button", onclick }, label);
  return h("div", { class: "entry", dataset: { post: post.post_id } },
    h("div", { class: "meta" }, `post ${post.post_id} by user ${author} · step `,
      post.created_step, ` · ${post.num_likes} likes · ${post.num_shares} shares`),
    ...text,
    h("div", { class: "acts" },
      button("Like", () => act("like_post", { post_id: post.post_id })),
      button("Dislike", () => act("dislike_post", { post_id: post.post_id })),
      button("Repost", () => act("repost", { post_id: post.post_id })),
      button("Quote", () => replyTo("quote", post)),
      button("Comment", () => replyTo("comment", post)),
      button("Comments", () => showComments(post.post_id, comments)),
      author === me.standing.user_id ? null : me.following.has(author)
        ? button(`Unfollow user ${author}`, () => act("unfollow", { followee_id: author }))
        : button(`Follow user ${author}`, () => act("follow", { followee_id: author })),
      author === me.standing.user_id ? null
        : button("Mute", () => act("mute", { mutee_id: author }))),
    comments);
}

async function showComments(postId, box) {
  const page = await api(`/posts/${postId}/comments?limit=20`);
  box.replaceChildren(...(page.items.length ? page.items.map((c) => h("div", {},
    h("span", { class: "muted" }, `user ${c.user_id}: `), c.content,
    h("button", { type: "button", onclick: () => act("like_comment", { comment_id: c.comment_id }) },
      "Like"))) : [h("span", { class: "muted" }, "no comments yet")]));
}

function replyTo(mode, post) {
  me.reply = post ? { mode, post_id: post.post_id } : null;
  $("compose-title").textContent = post
    ? `${mode === "quote" ? "Quote" : "Comment on"} post ${post.post_id}` : "Write a post";
  $("compose-reset").hidden = !post;
  if (post) $("compose").querySelector("textarea").focus();
}

async function timeline() {
  const user = me.standing.user_id;
  try {
    const feed = await api(`/users/${user}/feed?limit=30`);
    if (feed.step === me.feedStep) return;
    const followees = await api(`/users/${user}/followees?limit=500`);
    me.following = new Set(followees.items.map((u) => u.user_id));
    me.feedStep = feed.step;
    $("timeline-title").textContent = `Your timeline at step ${feed.step}`;
    $("timeline-note").textContent = "What the recommender gave your user, best first.";
    $("timeline").replaceChildren(...feed.items.map(entry));
    $("timeline").dataset.step = feed.step;
  } catch (error) {
    $("timeline-note").textContent = "No timeline yet: it comes with the next step.";
  }
}

function outcome(command) {
  const p = command.payload;
  const what = command.kind === "person_act" ? `${p.action} ${JSON.stringify(p.args)}`
    : command.kind.replace("person_", "");
  if (command.status === "expired") {
    return h("li", {}, `${what}: ${(command.result || {}).error || "the run ended first"}`);
  }
  if (command.status !== "done") return h("li", {}, `${what}: waits for the next step`);
  const r = command.result || {};
  return h("li", { dataset: { command: command.command_id } }, `${what} at step ${command.step}: `,
    r.ok ? h("span", { class: "ok" }, "done") : h("span", { class: "bad" }, r.reason || "failed"));
}

async function commands() {
  const list = await api("/people/me/commands");
  $("my-commands").replaceChildren(...list.slice(0, 30).map(outcome));
  const found = list.find((c) => c.status === "done" && c.payload.action
    && c.payload.action.startsWith("search_") && c.result && c.result.ok);
  if (found && found.command_id !== me.searched) {
    me.searched = found.command_id;
    const data = found.result.data || {};
    $("search-results").replaceChildren(
      ...(data.posts || []).map(entry),
      ...(data.users || []).map((u) => h("div", {}, `user ${u.user_id} @${u.user_name} `,
        h("button", { type: "button", onclick: () => act("follow", { followee_id: u.user_id }) },
          "Follow"))));
  }
}

function render(standing) {
  const pill = $("standing");
  const state = standing.joined ? (standing.present ? "joined" : "away")
    : standing.joining ? "joining" : "not joined";
  pill.textContent = state;
  pill.className = `pill ${state.replace(" ", "-")}`;
  $("step").textContent = standing.step;
  $("who").textContent = standing.user_id === null ? "nobody yet" : `user ${standing.user_id}`;
  const free = !standing.joined && !standing.joining;
  $("join-form").hidden = !(free && standing.user_id === null);
  $("takeover").hidden = !(free && standing.user_id !== null);
  $("takeover-user").textContent = `user ${standing.user_id}`;
  for (const id of ["presence", "compose", "search"]) $(id).hidden = !standing.joined;
}

async function refresh() {
  if (!me.token) return;
  try {
    me.standing = await api("/people/me");
    render(me.standing);
    document.body.dataset.standing = $("standing").textContent;
    if (me.standing.joined) await timeline();
    await commands();
  } catch (error) {
    say(error.message, true);
  }
}

async function join(profile) {
  try {
    await api("/people/join", { method: "POST", body: JSON.stringify(profile) });
    say("you join at the next step");
    await refresh();
  } catch (error) { say(error.message, true); }
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  me.token = $("token").value.trim();
  sessionStorage.setItem("oasis-participant", me.token);
  refresh();
});
$("join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  join(Object.fromEntries(new FormData(event.target)));
});
$("takeover-button").addEventListener("click", () => join({}));
for (const button of document.querySelectorAll("[data-move]")) {
  button.addEventListener("click", async () => {
    try {
      const path = `/people/${me.standing.user_id}/${button.dataset.move}`;
      await api(path, { method: "POST" });
      say(`${button.dataset.move}: at the next step`);
    } catch (error) { say(error.message, true); }
  });
}
$("compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const content = event.target.content.value;
  const reply = me.reply;
  if (!reply) act("create_post", { content });
  else if (reply.mode === "quote") act("quote_post", { post_id: reply.post_id, quote_content: content });
  else act("create_comment", { post_id: reply.post_id, content });
  event.target.reset();
  replyTo(null, null);
});
$("compose-reset").addEventListener("click", () => replyTo(null, null));
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  act(event.submitter.dataset.kind, { query: event.target.query.value });
});
refresh();
setInterval(refresh, 1000);
document.body.dataset.loaded = "yes";
