"""Searches and trend: bound parameters, limits, and muted users left out."""

from __future__ import annotations

from oasis.core.actions import ActionType as T
from oasis.platform import Platform, PlatformSettings


def test_search_posts_matches_text_newest_first_and_hides_muted(world):
    a = world.post(1, "cats are great")
    b = world.post(2, "I like cats")
    world.post(3, "dogs")
    hits = world.one(4, T.SEARCH_POSTS, query="cats").data["posts"]
    assert [h["post_id"] for h in hits] == [b, a]
    world.one(4, T.MUTE, mutee_id=2)
    hits = world.one(4, T.SEARCH_POSTS, query="cats").data["posts"]
    assert [h["post_id"] for h in hits] == [a]


def test_search_treats_wildcards_and_quotes_as_text(world):
    world.post(1, "100% sure")
    world.post(2, "100 percent")
    hits = world.one(3, T.SEARCH_POSTS, query="0%").data["posts"]
    assert [h["content"] for h in hits] == ["100% sure"]
    assert world.one(3, T.SEARCH_POSTS, query="'; DROP TABLE post; --").data["posts"] == []
    assert len(world.table("post")) == 2


def test_search_limit(db_url):
    platform = Platform.open(db_url, PlatformSettings(search_limit=2))
    from tests.platform.conftest import World

    world = World(platform)
    for i in range(4):
        world.post(1, f"topic {i}")
    assert len(world.one(2, T.SEARCH_POSTS, query="topic").data["posts"]) == 2
    platform.close()


def test_search_user(world):
    hits = world.one(1, T.SEARCH_USER, query="user3").data["users"]
    assert [h["user_id"] for h in hits] == [3]
    world.one(1, T.MUTE, mutee_id=3)
    assert world.one(1, T.SEARCH_USER, query="user3").data["users"] == []


def test_trend_ranks_recent_originals_by_likes(world):
    old = world.post(1, "old")
    world.step += 30
    quiet = world.post(2, "quiet")
    loud = world.post(3, "loud")
    for fan in (1, 2, 4):
        world.one(fan, T.LIKE_POST, post_id=loud)
    world.one(4, T.LIKE_POST, post_id=old)
    world.one(4, T.REPOST, post_id=loud)
    hits = world.one(4, T.TREND).data["posts"]
    assert [h["post_id"] for h in hits] == [loud, quiet]
