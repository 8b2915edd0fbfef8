"""Who to follow on small hand-made graphs with known answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from oasis.recsys import HashingEmbedder, RecsysState
from oasis.recsys.settings import WhoToFollowSettings
from oasis.recsys.who_to_follow import (
    FRIENDS,
    INTEREST,
    POPULAR,
    FollowGraph,
    sample_followees,
    sample_rows,
    who_to_follow,
)
from tests.recsys.cases import users_table

# 0 follows 1 and 2; 1 and 2 both follow 3; 1 follows 4, 2 follows 5; 3 has three followers.
FOLLOWS = {0: [1, 2], 1: [3, 4], 2: [3, 5], 4: [0], 5: [6], 7: [3], 9: [10, 11], 10: [9]}
EVERYONE = list(range(12))


def graph_for(follows: Mapping[int, Sequence[int]], hop_ids: np.ndarray) -> FollowGraph:
    indptr = np.zeros(hop_ids.size + 1, np.int64)
    np.cumsum([len(follows.get(int(h), ())) for h in hop_ids], out=indptr[1:])
    indices = np.array([f for h in hop_ids for f in follows.get(int(h), ())], np.int64)
    counts = {u: sum(u in f for f in follows.values()) for u in EVERYONE}
    ids = np.array(EVERYONE, np.int64)
    return FollowGraph(hop_ids, indptr, indices, ids, np.array([counts[u] for u in EVERYONE]))


def suggest(
    active: Sequence[int],
    muted: Mapping[int, Sequence[int]] | None = None,
    state: RecsysState | None = None,
    follows: Mapping[int, Sequence[int]] = FOLLOWS,
    **settings: float,
) -> dict[int, list[tuple[int, int]]]:
    """``{user: [(suggested, reason), ...]}`` for ``active`` on the graph ``follows``."""
    users = users_table(active, {u: follows.get(u, []) for u in active}, muted)
    rng = np.random.default_rng(0)
    sampled = sample_followees(users, int(settings.get("fanout", 10)), rng)
    hop_ids = np.unique(sampled[sampled >= 0])
    state = state or RecsysState(HashingEmbedder(8))
    found = who_to_follow(
        users, sampled, graph_for(follows, hop_ids), state.interests,
        WhoToFollowSettings(**settings), rng,
    )  # fmt: skip
    rows = [found.row(i) for i in range(len(found.user_id))]
    return {
        int(u): list(zip(found.suggested[r].tolist(), found.reason[r].tolist(), strict=True))
        for u, r in zip(found.user_id, rows, strict=True)
    }


def test_friends_of_friends_rank_by_how_many_followees_follow_them():
    # 3 is followed by both of 0's followees; 4 and 5 by one each (a tie: lower id first).
    assert suggest([0]) == {0: [(3, FRIENDS), (4, FRIENDS), (5, FRIENDS)]}


def test_followed_muted_and_self_are_never_suggested():
    # 10 follows 9, who follows 10 (itself, for 10) and 11; 10 already follows 9.
    assert suggest([10], k=5)[10][0] == (11, FRIENDS)
    assert {s for s, _ in suggest([10], k=12)[10]}.isdisjoint({9, 10})
    got = suggest([0], {0: [3]})[0]
    assert got[:2] == [(4, FRIENDS), (5, FRIENDS)]
    assert 3 not in {s for s, _ in got}


def test_a_user_who_follows_nobody_gets_the_most_followed():
    # 3 has three followers; 0, 1, 2, ... one each (ties: lower id first); 8 follows nobody.
    assert suggest([8]) == {8: [(3, POPULAR), (0, POPULAR), (1, POPULAR)]}


def test_interest_breaks_a_tie_and_ties_fall_to_the_lower_id():
    state = RecsysState(HashingEmbedder(4))
    vectors = np.eye(4, dtype=np.float32)
    # 0 and 5 share interests; 4 is orthogonal to 0: 5 now ranks above 4.
    state.interests.profiles.put(np.array([0, 4, 5, 6]), vectors[[0, 1, 0, 2]])
    assert suggest([0], state=state)[0][:3] == [(3, FRIENDS), (5, FRIENDS), (4, FRIENDS)]
    # 8 follows nobody and shares 6's interests: 6 comes first, for its interests.
    state.interests.profiles.put(np.array([8]), vectors[[2]])
    assert suggest([8], state=state)[8][0] == (6, INTEREST)


def test_weights_and_list_length_are_the_settings():
    # Without the friends term, popularity leads: 3 (three followers), then the rest by id.
    assert suggest([0], friends_weight=0.0, k=2)[0] == [(3, FRIENDS), (4, FRIENDS)]
    assert suggest([0, 8], k=0) == {0: [], 8: []}


def test_the_friends_term_is_the_share_of_followees_times_its_own_weight():
    # 0 follows 1 and 2; only 1 follows 3 (friends term 1/2), 3 has one follower and 6 four
    # (popularity log1p(1)/log1p(4) = 0.43 against 1). With both weights 1, 3 scores
    # 0.5 + 0.43 < 1: 6 leads. Doubling the friends weight alone puts 3 first (1 + 0.43).
    follows = {0: [1, 2], 1: [3], 7: [6], 8: [6], 9: [6], 10: [6]}
    weights = {"k": 2, "interest_weight": 0.0, "popularity_weight": 1.0}
    got = suggest([0], follows=follows, friends_weight=1.0, **weights)
    assert got == {0: [(6, POPULAR), (3, FRIENDS)]}
    got = suggest([0], follows=follows, friends_weight=2.0, **weights)
    assert got == {0: [(3, FRIENDS), (6, POPULAR)]}


def test_the_fanout_bounds_friends_of_friends_and_the_pool_can_be_off():
    # One followee sampled, one of its followees: a single friend of a friend.
    got = suggest([0], fanout=1, pool=0)[0]
    assert len(got) == 1 and got[0][1] == FRIENDS and got[0][0] in {3, 4, 5}
    assert suggest([8], pool=0) == {8: []}  # follows nobody, and no popular pool


def test_many_active_users_at_once_get_their_own_lists():
    both = suggest([0, 8, 10])
    assert both[0] == suggest([0])[0] and both[8] == suggest([8])[8]
    assert both[10] == suggest([10])[10]


@pytest.mark.parametrize("width", [1, 3, 8])
def test_a_sample_takes_short_rows_whole_and_caps_long_ones(width):
    indptr = np.array([0, 2, 12, 12])
    indices = np.concatenate([[7, 5], np.arange(100, 110)])
    rows = np.arange(3)
    got = sample_rows(indptr, indices, rows, width, np.random.default_rng(1))
    assert got.shape == (3, width)
    assert (got[2] == -1).all()  # no followees
    if width >= 2:
        assert sorted(got[0][got[0] >= 0]) == [5, 7]
    picked = got[1][got[1] >= 0]
    assert 1 <= picked.size <= width and set(picked) <= set(range(100, 110))
    assert picked.size == len(set(picked))
