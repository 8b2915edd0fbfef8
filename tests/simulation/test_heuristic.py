"""The heuristic policy: driven by similarity and popularity, deterministic per agent."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from pydantic import ValidationError

from oasis.agents.heuristic.policy import (
    AUTHOR_FOLLOWED,
    COMMENT_VOTED,
    LIKED,
    OWN,
    REPOSTED,
    HeuristicBatch,
    decide_heuristic,
)
from oasis.agents.heuristic.settings import HeuristicSettings
from oasis.core.actions import ActionType, validate_args

ALL = frozenset(ActionType)


def batch(n: int, similarity: float, popularity: float = 0.0, k: int = 5) -> HeuristicBatch:
    return HeuristicBatch(
        agent_ids=np.arange(n) + 100,
        indptr=np.arange(n + 1) * k,
        post_ids=np.tile(np.arange(1, k + 1), n),
        author_ids=np.tile(np.arange(1, k + 1) + 10, n),
        similarity=np.full(n * k, similarity),
        popularity=np.full(n * k, popularity),
        comment_ids=np.tile(np.arange(1, k + 1) + 100, n),
        comment_scores=np.tile(np.array([3.0, -3.0, 0.0, 0.0, 0.0])[:k], n),
        topics=["cats"] * n,
    )


def count(decisions, kind):
    return sum(a.type is kind for actions in decisions for a in actions)


def test_every_agent_gets_valid_actions():
    decisions = decide_heuristic(HeuristicSettings(), 1, 3, batch(200, 0.3), ALL)
    assert len(decisions) == 200
    for agent, actions in zip(range(100, 300), decisions, strict=True):
        assert actions
        assert all(a.agent_id == agent and validate_args(a.type, a.args) is None for a in actions)


def test_similar_and_popular_posts_are_liked_more():
    rates = HeuristicSettings()
    far = count(decide_heuristic(rates, 1, 0, batch(2000, -0.4), ALL), ActionType.LIKE_POST)
    near = count(decide_heuristic(rates, 1, 0, batch(2000, 0.8), ALL), ActionType.LIKE_POST)
    hot = count(decide_heuristic(rates, 1, 0, batch(2000, 0.8, 1.0), ALL), ActionType.LIKE_POST)
    assert far < near < hot
    disliked = count(decide_heuristic(rates, 1, 0, batch(2000, -0.4), ALL), ActionType.DISLIKE_POST)
    assert disliked > count(
        decide_heuristic(rates, 1, 0, batch(2000, 0.8), ALL), ActionType.DISLIKE_POST
    )


def test_follows_come_only_after_likes_and_target_the_author():
    decisions = decide_heuristic(HeuristicSettings(follow=1.0), 2, 0, batch(300, 0.9), ALL)
    for actions in decisions:
        liked = {a.args["post_id"] for a in actions if a.type is ActionType.LIKE_POST}
        followed = {a.args["followee_id"] for a in actions if a.type is ActionType.FOLLOW}
        assert followed == {p + 10 for p in liked}


def test_disallowed_actions_are_never_chosen():
    allowed = frozenset({ActionType.DO_NOTHING, ActionType.LIKE_POST})
    decisions = decide_heuristic(HeuristicSettings(post=1.0), 1, 0, batch(100, 0.9), allowed)
    kinds = {a.type for actions in decisions for a in actions}
    assert kinds <= allowed and ActionType.LIKE_POST in kinds


def test_an_agent_decides_the_same_in_any_batch():
    whole = decide_heuristic(HeuristicSettings(), 9, 4, batch(50, 0.2), ALL)
    part = batch(50, 0.2)
    odd = HeuristicBatch(
        part.agent_ids[1::2], np.arange(26) * 5, part.post_ids[:125], part.author_ids[:125],
        part.similarity[:125], part.popularity[:125], part.comment_ids[:125],
        part.comment_scores[:125], part.topics[:25],
    )  # fmt: skip
    assert decide_heuristic(HeuristicSettings(), 9, 4, odd, ALL) == whole[1::2]


NO_INFLUENCE = {"positive_herding": 0.0, "negative_herding": 0.0, "correction": 0.0}


def comment_votes(lean: float = 0.0) -> tuple[Counter[int], Counter[int]]:
    rates = HeuristicSettings(comment_vote=1.0, vote_lean=lean, **NO_INFLUENCE)
    decisions = decide_heuristic(rates, 5, 0, batch(2000, 0.0), ALL)
    votes = [a for actions in decisions for a in actions if "comment_id" in a.args]
    liked = Counter(a.args["comment_id"] for a in votes if a.type is ActionType.LIKE_COMMENT)
    disliked = Counter(a.args["comment_id"] for a in votes if a.type is ActionType.DISLIKE_COMMENT)
    return liked, disliked


def test_without_influence_a_comment_score_does_not_sway_votes():
    liked, disliked = comment_votes()
    for comment in (101, 102, 103):  # at +3, -3 and 0
        assert 0.85 < liked[comment] / disliked[comment] < 1.15


def test_the_default_lean_gives_the_sites_share_of_up_votes():
    liked, disliked = comment_votes(HeuristicSettings().vote_lean)
    for comment in (101, 102, 103):  # [Muchnik13]: 4,049 up to 1,942 down, 68% up
        assert 0.65 < liked[comment] / (liked[comment] + disliked[comment]) < 0.71


def test_agents_vote_on_every_shown_comment():
    part = batch(400, 0.0, k=2)
    entries = len(part.post_ids)
    shown = HeuristicBatch(
        part.agent_ids, part.indptr, part.post_ids, part.author_ids, part.similarity,
        part.popularity, np.column_stack([np.arange(entries), np.arange(entries) + 1000,
        np.full(entries, -1)]), np.zeros((entries, 3)), part.topics,
    )  # fmt: skip
    rates = HeuristicSettings(comment_vote=0.5)
    decisions = decide_heuristic(rates, 3, 0, shown, ALL)
    voted = [
        a.args["comment_id"] for actions in decisions for a in actions if "comment_id" in a.args
    ]
    assert sum(c < 1000 for c in voted) > 300 and sum(c >= 1000 for c in voted) > 300


def test_stance_agreement_leans_votes():
    part = batch(2000, 0.0, k=1)
    entries = len(part.post_ids)
    leaning = HeuristicBatch(
        part.agent_ids, part.indptr, part.post_ids, part.author_ids, part.similarity,
        part.popularity, part.comment_ids, np.zeros(entries), part.topics,
        stances=np.where(np.arange(2000) % 2 == 0, 0.8, -0.8),
        comment_stances=np.full(entries, 0.8),
    )  # fmt: skip
    rates = HeuristicSettings(comment_vote=1.0, vote_lean=0.0)
    ups = [any(a.type is ActionType.LIKE_COMMENT for a in d)
           for d in decide_heuristic(rates, 3, 0, leaning, ALL)]  # fmt: skip
    assert np.mean(ups[0::2]) > 0.8  # (1 + tanh(1)) / 2 = 0.88
    assert np.mean(ups[1::2]) < 0.3  # (1 + tanh(1 - 1.6)) / 2 = 0.23
    deaf = rates.model_copy(update={"agreement_weight": 0.0})
    ups = [any(a.type is ActionType.LIKE_COMMENT for a in d)
           for d in decide_heuristic(deaf, 3, 0, leaning, ALL)]  # fmt: skip
    assert 0.45 < np.mean(ups[0::2]) < 0.55 and 0.45 < np.mean(ups[1::2]) < 0.55


def test_a_positive_score_draws_up_votes_and_a_negative_one_draws_corrections():
    rates = HeuristicSettings(comment_vote=0.2, vote_lean=0.0)
    decisions = decide_heuristic(rates, 5, 0, batch(40_000, 0.0), ALL)
    votes = [a for actions in decisions for a in actions if "comment_id" in a.args]
    liked = Counter(a.args["comment_id"] for a in votes if a.type is ActionType.LIKE_COMMENT)
    disliked = Counter(a.args["comment_id"] for a in votes if a.type is ActionType.DISLIKE_COMMENT)
    # comment 101 stands at +3, comment 102 at -3, comment 103 at 0
    assert 1.25 < liked[101] / liked[103] < 1.39 and 0.9 < disliked[101] / disliked[103] < 1.1
    assert 1.38 < liked[102] / liked[103] < 1.56 and 1.2 < disliked[102] / disliked[103] < 1.45
    assert liked[102] - liked[103] > disliked[102] - disliked[103] > 0


def test_what_the_reader_already_did_is_never_done_again():
    eager = HeuristicSettings(like=1.0, repost=1.0, follow=1.0, comment_vote=1.0, comment=0.0)
    plain = batch(50, 0.9)
    states = np.tile(np.array([LIKED, REPOSTED, AUTHOR_FOLLOWED, COMMENT_VOTED, OWN]), 50)
    done = HeuristicBatch(**{**{f: getattr(plain, f) for f in plain.__dataclass_fields__},
                             "reader_state": states})  # fmt: skip
    actions = [a for agent in decide_heuristic(eager, 3, 1, done, ALL) for a in agent]
    pairs = {(a.type, a.args.get("post_id", a.args.get("comment_id", a.args.get("followee_id"))))
             for a in actions}  # fmt: skip
    assert (ActionType.LIKE_POST, 1) not in pairs and (ActionType.REPOST, 2) not in pairs
    assert (ActionType.FOLLOW, 13) not in pairs  # post 3's author is already followed
    assert not any(t in (ActionType.LIKE_COMMENT, ActionType.DISLIKE_COMMENT) and c == 104
                   for t, c in pairs)  # fmt: skip
    assert not any(c in (5, 15) for t, c in pairs if t is not ActionType.LIKE_COMMENT)  # own post
    assert (ActionType.REPOST, 1) in pairs and (ActionType.LIKE_POST, 2) in pairs


def test_an_author_is_followed_once_per_step():
    same_author = HeuristicBatch(**{**{f: getattr(batch(20, 0.9), f) for f in
                                      batch(1, 0.0).__dataclass_fields__},
                                    "author_ids": np.full(100, 7)})  # fmt: skip
    decisions = decide_heuristic(HeuristicSettings(like=1.0, follow=1.0), 4, 0, same_author, ALL)
    assert all(count([actions], ActionType.FOLLOW) == 1 for actions in decisions)


def with_suggestions(k: int = 3, n: int = 300) -> HeuristicBatch:
    return replace(
        batch(n, 0.9),
        suggest_indptr=np.arange(n + 1) * k,
        suggested=np.tile(np.arange(k) + 50, n),
    )


def suggested_follows(decisions) -> Counter:
    return Counter(
        a.args["followee_id"]
        for actions in decisions
        for a in actions
        if a.type is ActionType.FOLLOW and a.args["followee_id"] >= 50
    )


def test_who_to_follow_suggestions_are_followed_at_their_rate():
    rates = HeuristicSettings(follow_suggestion=0.2)
    followed = suggested_follows(decide_heuristic(rates, 1, 0, with_suggestions(), ALL))
    assert set(followed) == {50, 51, 52}
    assert 0.12 < sum(followed.values()) / 900 < 0.28
    every = decide_heuristic(
        HeuristicSettings(follow_suggestion=1.0), 1, 0, with_suggestions(), ALL
    )
    assert sum(suggested_follows(every).values()) == 900
    never = decide_heuristic(
        HeuristicSettings(follow_suggestion=0.0), 1, 0, with_suggestions(), ALL
    )
    assert not suggested_follows(never)
    no_follow = ALL - {ActionType.FOLLOW}
    assert not suggested_follows(decide_heuristic(rates, 1, 0, with_suggestions(), no_follow))


def test_a_suggested_author_followed_from_the_feed_is_followed_once():
    # Agent 100's feed author 11 is also its first suggestion; everything is followed.
    one = replace(batch(1, 0.9), suggest_indptr=np.array([0, 2]), suggested=np.array([11, 60]))
    rates = HeuristicSettings(like=1.0, follow=1.0, follow_suggestion=1.0, affinity_base=1.0)
    actions = decide_heuristic(rates, 1, 0, one, ALL)[0]
    follows = [a.args["followee_id"] for a in actions if a.type is ActionType.FOLLOW]
    assert sorted(follows) == [11, 12, 13, 14, 15, 60]


def test_the_old_conformity_key_is_refused_naming_its_replacements():
    with pytest.raises(ValidationError, match="positive_herding, negative_herding and correction"):
        HeuristicSettings.model_validate({"conformity": 0.5})


def test_any_engagement_raises_the_chance_to_act_by_the_herding_alone():
    # Muchnik et al. planted one vote: a post with 1 or 500 likes and shares is acted on 1.32
    # times as often as one with none, no dose response.
    rates = HeuristicSettings()
    likes = [
        count(decide_heuristic(rates, 1, 0, batch(4000, 0.3, pop), ALL), ActionType.LIKE_POST)
        for pop in (0.0, 1.0, 500.0)
    ]
    assert likes[1] == likes[2]  # the same draws, the same chance
    assert likes[1] / likes[0] == pytest.approx(1 + rates.popularity_herding, rel=0.12)


def test_the_old_popularity_weight_key_is_refused_naming_its_replacement():
    with pytest.raises(ValidationError, match="popularity_herding"):
        HeuristicSettings.model_validate({"popularity_weight": 0.46})
