from __future__ import annotations

from dataclasses import replace

from oasis.agents.llm.prompts import (
    build_interview_messages,
    build_messages,
    interview_system_prompt,
    render_observation,
    render_post,
    system_prompt,
)
from oasis.agents.memory import AgentMemory
from oasis.agents.observation import PostView, UserSuggestion
from oasis.agents.observation_builder import post_view, suggestion_reason
from tests.factories import make_context

from .conftest import ALLOWED


def test_system_message_is_byte_identical_across_agents_and_steps():
    system = system_prompt("twitter", ALLOWED, 3)
    firsts = {
        build_messages(system, c.profile, c.memory, c.observation)[0]["content"].encode()
        for c in [make_context(i, step) for i in range(5) for step in (1, 9)]
    }
    assert len(firsts) == 1
    assert system_prompt("twitter", ALLOWED, 3) == system  # rebuilt the same in another shard


def test_system_message_lists_allowed_actions_with_args():
    system = system_prompt("reddit", ALLOWED, 2)
    assert "Reddit" in system
    assert "- quote_post(post_id: int, quote_content: str):" in system
    assert "trend" not in system
    assert "between 1 and 2 actions" in system
    assert "calling between 1 and 2" in system_prompt("reddit", ALLOWED, 2, tools=True)


def test_profile_comes_before_memory_and_observation():
    c = make_context(4)
    messages = build_messages("S", c.profile, c.memory, c.observation)
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert user.startswith("You are User 4 (@user4, user id 4).")
    assert user.index("Interests: science, music") < user.index("Your recent activity")
    assert user.index("Your recent activity") < user.index("Your feed:")


def test_same_agent_shares_its_profile_prefix_across_steps():
    a, b = make_context(4, 1), make_context(4, 2)
    ua = build_messages("S", a.profile, a.memory, a.observation)[1]["content"]
    ub = build_messages("S", b.profile, b.memory, b.observation)[1]["content"]
    prefix = ua.split("Your recent activity")[0]
    assert ub.startswith(prefix) and ua != ub


def test_observation_shows_ids_counts_comments_and_sections():
    text = render_observation(make_context(1).observation)
    assert "7 followers and follow 3 users" in text
    assert "- post 11 by user2 (user 2): the sky is green" in text
    assert "[flagged as possibly misleading]" in text
    assert "comment 70 by user 4 (likes 2, dislikes 0): so true" in text
    assert "reposting post 11" in text
    assert "quoting post 10 by user6 (user 6): my take\n  quoted post 10: original text" in text
    assert "Notifications:\n- user 9 liked your post 4" in text
    assert "Group messages:\n- group 1, user 2: hello" in text
    assert "Search results" not in text


def test_empty_memory_and_feed():
    c = make_context(2)
    empty = type(c.observation)(2, 0, "day 0")
    user = build_messages("S", c.profile, AgentMemory(), empty)[1]["content"]
    assert "(none yet)" in user and "Your feed is empty." in user


def test_interview_messages():
    c = make_context(3)
    system = interview_system_prompt("twitter")
    messages = build_interview_messages(system, c.profile, c.memory, "Do you trust the news?")
    assert messages[0]["content"] == system
    assert messages[1]["content"].startswith("You are User 3")
    assert messages[1]["content"].endswith("Interviewer: Do you trust the news?")
    assert "JSON" not in system and "plain text" in system


def test_a_share_names_the_original_and_who_shared_it_and_the_readers_own_state():
    share = PostView(
        12, 3, "carol", "the sky is green", 2, shares=4, original_post_id=11,
        original_author_id=2, original_author_name="bob", liked=True, author_followed=True,
    )  # fmt: skip
    text = render_post(share)
    assert "post 12 by carol (user 3), reposting post 11 by bob (user 2): the sky is green" in text
    assert "(you liked it; you follow its author)" in text
    assert "you" not in render_post(PostView(11, 2, "bob", "the sky is green", 1))


def test_a_quote_shows_its_own_text_and_counters_then_the_quoted_post():
    quoted = {"post_id": 11, "user_id": 2, "author_name": "bob", "content": "the sky is green"}
    row = {
        "post_id": 14, "user_id": 3, "author_name": "carol", "content": "no, it is blue",
        "quote_content": "no, it is blue", "original_post_id": 11, "created_step": 2,
        "num_likes": 1, "num_dislikes": 0, "num_shares": 2, "num_reports": 0,
        "comments": [{"comment_id": 5, "user_id": 4, "content": "agreed", "num_likes": 0,
                      "num_dislikes": 0}],
    }  # fmt: skip
    view = replace(post_view(row, quoted | {"num_likes": 9}, report_threshold=3), liked=True)
    assert (view.target_post_id, view.target_author_id) == (14, 3)
    text = render_post(view)
    assert text.splitlines()[:3] == [
        "- post 14 by carol (user 3), quoting post 11 by bob (user 2): no, it is blue",
        "  quoted post 11: the sky is green",
        "  likes 1, dislikes 0, shares 2",
    ]
    assert "(you liked it)" in text and "comment 5 by user 4" in text
    repost = post_view(row | {"quote_content": None, "content": ""}, quoted | _COUNTERS, 3)
    assert (repost.target_post_id, repost.target_author_id, repost.content) == (
        11, 2, "the sky is green",
    )  # fmt: skip
    assert "reposting post 11 by bob (user 2): the sky is green" in render_post(repost)
    assert "likes 9," in render_post(repost)


_COUNTERS = {"num_likes": 9, "num_dislikes": 0, "num_shares": 1, "num_reports": 0}


def test_who_to_follow_is_a_short_list_with_ids_counts_and_reasons():
    c = make_context(1)
    suggested = (
        UserSuggestion(21, "user21", 26, suggestion_reason(2, "friends")),
        UserSuggestion(46, "user46", 1, suggestion_reason(0, "interest")),
    )
    text = render_observation(replace(c.observation, who_to_follow=suggested))
    assert (
        "Who to follow:\n- user21 (user 21, 26 followers): followed by 2 people you follow\n"
        "- user46 (user 46, 1 follower): similar interests"
    ) in text
    assert "Who to follow" not in render_observation(c.observation)
    assert suggestion_reason(1, "friends") == "followed by 1 person you follow"
    assert suggestion_reason(0, "popular") == "popular"


def test_a_batch_renders_each_shared_view_once_and_the_same():
    contexts = [make_context(i, 3) for i in range(4)]
    shared = contexts[0].observation.feed  # one view per post, in every feed, as the loop does
    contexts = [replace(c, observation=replace(c.observation, feed=shared)) for c in contexts]
    rendered: dict[int, str] = {}
    batch = [
        build_messages("S", c.profile, c.memory, c.observation, rendered=rendered) for c in contexts
    ]
    assert batch == [build_messages("S", c.profile, c.memory, c.observation) for c in contexts]
    assert sorted(rendered) == sorted(id(p) for p in shared) and len(shared) > 1
