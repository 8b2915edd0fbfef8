"""Every read endpoint through a real uvicorn process over a database from a scripted run."""

from __future__ import annotations

import io
from dataclasses import fields

import httpx
import pandas as pd
import pytest

from oasis.agents.llm.chat import LLMStats
from tests.api.conftest import FEEDS, SCRIPT


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


LLM_USAGE = [f.name for f in fields(LLMStats)]


def ids(page: dict, key: str) -> list[int]:
    return [item[key] for item in page["items"]]


def test_run_info(client: httpx.Client):
    run = ok(client.get("/run"))
    assert run == {
        "seed": 7,
        "config": {"name": "api-test", "steps": len(SCRIPT)},
        "current_step": len(SCRIPT) - 1,
        "status": "finished",
        "steps_recorded": len(SCRIPT),
        "lineage": None,
        "llm_usage": dict.fromkeys(LLM_USAGE, 0),
    }


def test_step_metrics_pages_and_ranges(client: httpx.Client):
    first = ok(client.get("/steps", params={"limit": 2}))
    assert ids(first, "step") == [0, 1]
    assert first["next_offset"] == 2
    assert first["items"][0]["metrics"] == {
        "actions": 6,
        "failed_actions": 0,
        "actions_by_type": {"sign_up": 6},
        "active": 6,
    }
    last = ok(client.get("/steps", params={"limit": 2, "offset": 4}))
    assert ids(last, "step") == [4]
    assert last["next_offset"] is None
    assert last["items"][0]["metrics"]["failed_actions"] == 2
    ranged = ok(client.get("/steps", params={"since": 1, "until": 2}))
    assert ids(ranged, "step") == [1, 2]
    assert ok(client.get("/steps", params={"offset": 99}))["items"] == []


def test_users_search_and_pages(client: httpx.Client):
    everyone = ok(client.get("/users", params={"limit": 5}))
    assert ids(everyone, "user_id") == [1, 2, 3, 4, 5]
    assert everyone["next_offset"] == 5
    rest = ok(client.get("/users", params={"limit": 5, "offset": 5}))
    assert ids(rest, "user_id") == [6]
    assert rest["next_offset"] is None
    assert ids(ok(client.get("/users", params={"q": "user3"})), "user_id") == [3]
    # LIKE wildcards in the query are taken literally.
    assert ok(client.get("/users", params={"q": "%"}))["items"] == []


def test_one_user_and_follow_lists(client: httpx.Client):
    user = ok(client.get("/users/1"))
    assert user["user_name"] == "user1"
    assert (user["num_followers"], user["num_followings"]) == (4, 1)
    assert ids(ok(client.get("/users/1/followers")), "user_id") == [2, 3, 4, 6]
    assert ids(ok(client.get("/users/1/followees")), "user_id") == [2]
    paged = ok(client.get("/users/1/followers", params={"limit": 3, "offset": 3}))
    assert (ids(paged, "user_id"), paged["next_offset"]) == ([6], None)


def test_user_posts_and_actions(client: httpx.Client):
    posts = ok(client.get("/users/1/posts"))
    assert ids(posts, "post_id") == [7, 1]
    actions = ok(client.get("/users/6/actions"))
    assert [a["action"] for a in actions["items"]] == [
        "sign_up", "like_post", "repost", "like_comment", "follow", "like_post",
    ]  # fmt: skip
    failed = actions["items"][2]
    assert (failed["ok"], failed["reason"], failed["args"]) == (
        False,
        "post_not_found",
        {"post_id": 999},
    )
    only = ok(client.get("/users/6/actions", params={"action": "like_post", "step": 3}))
    assert [(a["step"], a["args"]) for a in only["items"]] == [(3, {"post_id": 1})]


def test_user_feed_is_the_last_one_given(client: httpx.Client):
    feed = ok(client.get("/users/1/feed"))
    assert (feed["step"], ids(feed, "post_id"), ids(feed, "rank")) == (4, [4, 3, 2], [0, 1, 2])
    before = ok(client.get("/users/1/feed", params={"step": 3}))
    assert (before["step"], ids(before, "post_id")) == (2, FEEDS[2][1])
    other = ok(client.get("/users/3/feed"))
    assert (other["step"], ids(other, "post_id")) == (4, FEEDS[4][3])
    paged = ok(client.get("/users/1/feed", params={"limit": 2, "offset": 1}))
    assert (ids(paged, "post_id"), ids(paged, "rank"), paged["next_offset"]) == (
        [3, 2],
        [1, 2],
        None,
    )
    first = ok(client.get("/users/1/feed", params={"limit": 2}))
    assert first["next_offset"] == 2
    missing = client.get("/users/2/feed")
    assert missing.status_code == 404
    assert missing.json()["message"] == "no feed was recorded for user 2"
    assert client.get("/users/3/feed", params={"step": 3}).status_code == 404


def test_post_with_comments_reposts_and_quotes(client: httpx.Client):
    detail = ok(client.get("/posts/1"))
    assert detail["post"]["kind"] == "post"
    assert detail["post"]["num_likes"] == 3
    assert detail["post"]["num_shares"] == 3  # 3, 4 and 5; 6 quotes the quote 4
    assert [c["content"] for c in detail["comments"]["items"]] == ["nice", "on the repost"]
    # Shares made through the original: 5 and 6 shared shares, but the original reached them.
    assert ids(detail["reposts"], "post_id") == [3, 5]
    assert ids(detail["quotes"], "post_id") == [4]
    repost = ok(client.get("/posts/3"))
    assert (repost["post"]["kind"], repost["root_id"]) == ("repost", 1)
    assert ids(repost["reposts"], "post_id") == []
    assert len(repost["comments"]["items"]) == 2  # comments land on the root
    assert ids(ok(client.get("/posts/4/quotes")), "post_id") == [6]
    quote = ok(client.get("/posts/4"))
    assert (quote["post"]["kind"], quote["root_id"], quote["post"]["content"]) == (
        "quote",
        4,
        "so true",
    )
    assert (quote["post"]["num_shares"], quote["comments"]["items"]) == (1, [])
    # A quote carries the text it quotes; posts and reposts carry none.
    assert quote["post"]["quoted_content"] == "hello world"
    assert ok(client.get("/posts/6"))["post"]["quoted_content"] == "so true"  # quotes quote 4
    assert detail["post"]["quoted_content"] is None is repost["post"]["quoted_content"]
    by_u5 = ok(client.get("/users/5/posts"))["items"]
    assert [(p["post_id"], p["quoted_content"]) for p in by_u5] == [(6, "so true")]
    comments = ok(client.get("/posts/1/comments", params={"limit": 1}))
    assert (len(comments["items"]), comments["next_offset"]) == (1, 1)
    assert ok(client.get("/posts/1/reposts"))["items"][0]["user_id"] == 2


def test_top_trending_and_search(client: httpx.Client):
    top = ok(client.get("/posts/top", params={"step": 1}))
    assert ids(top, "post_id") == [1, 2]
    assert ids(ok(client.get("/posts/top")), "post_id") == [7]
    assert ok(client.get("/posts/top", params={"step": 4, "window": 5}))["next_offset"] is None
    trending = ok(client.get("/posts/trending", params={"step": 3, "window": 2}))
    # Steps 2-3: post 1 got 2 likes, 1 comment and 3 shares; post 2 a like; the quote 4 a quote.
    assert [(p["post_id"], p["score"]) for p in trending["items"]] == [(1, 6), (2, 1), (4, 1)]
    found = ok(client.get("/posts/search", params={"q": "quot"}))
    assert ids(found, "post_id") == [6]
    assert ok(client.get("/posts/search", params={"q": "_"}))["items"] == []


def test_cascade_tree_and_metrics_over_time(client: httpx.Client):
    cascade = ok(client.get("/posts/5/cascade"))
    assert cascade["root_id"] == 1
    depths = {n["post_id"]: n["depth"] for n in cascade["nodes"]["items"]}
    # 4 follows the root's author and 5 follows no sharer: the original reached both directly.
    assert depths == {1: 0, 3: 1, 4: 1, 5: 1}  # 6 quoted the quote 4: it is in 4's cascade
    assert [
        (p["step"], p["scale"], p["depth"], p["max_breadth"]) for p in cascade["over_time"]
    ] == [
        (1, 1, 0, 0),
        (2, 3, 1, 2),
        (3, 4, 1, 3),
    ]
    assert (cascade["scale"], cascade["depth"], cascade["max_breadth"]) == (4, 1, 3)
    paged = ok(client.get("/posts/1/cascade", params={"limit": 2, "offset": 1}))
    assert (ids(paged["nodes"], "post_id"), paged["nodes"]["next_offset"]) == ([3, 4], 3)
    quoted = ok(client.get("/posts/6/cascade"))
    assert quoted["root_id"] == 6 and quoted["scale"] == 1
    of_quote = ok(client.get("/posts/4/cascade"))
    nodes = [(n["post_id"], n["depth"], n["is_quote"]) for n in of_quote["nodes"]["items"]]
    assert (of_quote["root_id"], nodes) == (4, [(4, 0, True), (6, 1, True)])
    lone = ok(client.get("/posts/2/cascade"))
    assert (lone["scale"], lone["depth"], len(lone["over_time"])) == (1, 0, 1)


def test_traces_filter_and_cursor(client: httpx.Client):
    step2 = ok(client.get("/traces", params={"step": 2}))
    assert len(step2["items"]) == len(SCRIPT[2])
    assert step2["next_cursor"] is None
    failed = ok(client.get("/traces", params={"ok": False}))
    assert [t["reason"] for t in failed["items"]] == ["post_not_found", "duplicate", "self_follow"]
    seen, after = [], 0
    while after is not None:
        chunk = ok(client.get("/traces", params={"limit": 7, "after": after}))
        seen += ids(chunk, "trace_id")
        after = chunk["next_cursor"]
    assert seen == list(range(1, sum(map(len, SCRIPT)) + 1))
    likes = ok(client.get("/traces", params={"action": "like_post", "user_id": 3}))
    assert [t["ok"] for t in likes["items"]] == [True, False]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_tables(client: httpx.Client, fmt: str):
    response = client.get("/export/post", params={"format": fmt})
    assert response.status_code == 200
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    posts = read(io.BytesIO(response.content))
    assert posts["post_id"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert "x-next-offset" not in response.headers
    traces = client.get("/export/trace", params={"format": fmt, "limit": 5, "offset": 5})
    frame = read(io.BytesIO(traces.content))
    assert frame["trace_id"].tolist() == [6, 7, 8, 9, 10]
    assert traces.headers["x-next-offset"] == "10"
    assert frame["args"].iloc[0] == '{"bio": "bio 6", "name": "User 6", "user_name": "user6"}'


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/users/99", "no user with id 99"),
        ("/users/99/followers", "no user with id 99"),
        ("/users/99/actions", "no user with id 99"),
        ("/posts/99", "no post with id 99"),
        ("/posts/99/cascade", "no post with id 99"),
        ("/posts/99/comments", "no post with id 99"),
        ("/nowhere", "Not Found"),
    ],
)
def test_unknown_ids_are_404_with_a_message(client: httpx.Client, path: str, message: str):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["message"] == message


@pytest.mark.parametrize(
    ("path", "params", "where"),
    [
        ("/users", {"limit": 0}, "query.limit"),
        ("/users", {"limit": 501}, "query.limit"),
        ("/users", {"offset": -1}, "query.offset"),
        ("/users", {"limit": "many"}, "query.limit"),
        ("/users/abc", {}, "path.user_id"),
        ("/users/-1", {}, "path.user_id"),
        ("/users/99999999999999999999999", {}, "path.user_id"),
        ("/posts/search", {}, "query.q"),
        ("/posts/search", {"q": "a\x00b"}, "query.q"),
        ("/posts/top", {"window": 0}, "query.window"),
        ("/traces", {"action": "fly"}, "query.action"),
        ("/traces", {"after": -5}, "query.after"),
        ("/export/secrets", {}, "path.table"),
        ("/export/feed_log", {}, "path.table"),
        ("/export/post", {"format": "xlsx"}, "query.format"),
        ("/export/post", {"limit": 100_001}, "query.limit"),
    ],
)
def test_bad_parameters_are_422_with_a_message(
    client: httpx.Client, path: str, params: dict, where: str
):
    response = client.get(path, params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["message"].startswith(where)
