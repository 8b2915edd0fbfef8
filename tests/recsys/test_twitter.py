import numpy as np
import pytest

from oasis.recsys import RecsysSettings, RecsysState, make_recommender
from oasis.recsys.scoring import follower_factor
from tests.recsys.cases import posts_table, put_posts, put_profiles, users_table

RNG = np.random.default_rng(0)
HOUR = 3600.0


def feeds(state: RecsysState, posts, users, k: int, share: float = 0.5, now: float = 0.0):
    settings = RecsysSettings(kind="twitter", k=k, in_network_share=share, recency_half_life_s=HOUR)
    rec = make_recommender(settings, state.embedder, state)
    return {u: f.tolist() for u, f in rec.recommend(posts, users, now, RNG)}


@pytest.mark.parametrize(("followers", "factor"), [(0, 1.0), (998, 1.0), (999_999, 2.0)])
def test_follower_factor_is_log_base_1000(followers: int, factor: float) -> None:
    posts = posts_table([(1, 42, 0.0, 0, 0, 0)])
    users = users_table([1], followers={42: followers})
    assert follower_factor(posts, users)[0] == pytest.approx(factor)


def test_follower_factor_orders_equal_posts_by_author_reach(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, {10: 0, 11: 0, 12: 0})
    posts = posts_table([(10, 5, 0.0, 0, 0, 0), (11, 6, 0.0, 0, 0, 0), (12, 7, 0.0, 0, 0, 0)])
    users = users_table([1], followers={5: 10, 6: 10**6, 7: 10**4})
    assert feeds(state, posts, users, k=3, share=0.0) == {1: [11, 12, 10]}


def test_in_network_ranks_recent_popularity_not_all_time_likes(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, {10: 1, 11: 1, 12: 1})
    posts = posts_table(
        [(10, 5, 0.0, 500, 0, 0), (11, 5, 20 * HOUR, 3, 0, 1), (12, 6, 20 * HOUR, 1, 0, 0)]
    )
    users = users_table([1], followees={1: [5, 6]})
    assert feeds(state, posts, users, k=3, share=1.0, now=20 * HOUR) == {1: [11, 12, 10]}


def test_split_between_followees_and_strangers(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, dict.fromkeys(range(10, 20), 0))
    followed = [(p, 5, float(p), 0, 0, 0) for p in range(10, 15)]
    strangers = [(p, 6, float(p), 0, 0, 0) for p in range(15, 20)]
    users = users_table([1], followees={1: [5]})
    out = feeds(state, posts_table(followed + strangers), users, k=4, share=0.5, now=20.0)
    assert out == {1: [14, 13, 19, 18]}
    out = feeds(state, posts_table(followed + strangers), users, k=4, share=0.25, now=20.0)
    assert out == {1: [14, 19, 18, 17]}


def test_each_side_fills_what_the_other_lacks(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, dict.fromkeys(range(10, 16), 0))
    users = users_table([1], followees={1: [5]})
    only_followed = posts_table([(p, 5, float(p), 0, 0, 0) for p in range(10, 16)])
    assert feeds(state, only_followed, users, k=4, now=20.0) == {1: [15, 14, 13, 12]}
    only_strangers = posts_table([(p, 6, float(p), 0, 0, 0) for p in range(10, 16)])
    assert feeds(state, only_strangers, users, k=4, now=20.0) == {1: [15, 14, 13, 12]}


def test_without_out_of_network_a_feed_is_the_followees_posts_alone(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, dict.fromkeys(range(10, 20), 0))
    followed = [(p, 5, float(p), 0, 0, 0) for p in range(10, 13)]
    strangers = [(p, 6, float(p), 0, 0, 0) for p in range(13, 20)]
    users = users_table([1], followees={1: [5]})
    settings = RecsysSettings(kind="twitter", k=4, recency_half_life_s=HOUR, out_of_network=False)
    rec = make_recommender(settings, state.embedder, state)
    posts = posts_table(followed + strangers)
    out = {u: f.tolist() for u, f in rec.recommend(posts, users, 20.0, RNG)}
    assert out == {1: [12, 11, 10]}  # strangers' posts never fill the timeline


def test_muted_followee_and_own_posts_never_appear(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, {10: 0, 11: 0, 12: 0, 13: 0})
    posts = posts_table(
        [(10, 5, 0.0, 9, 0, 0), (11, 1, 0.0, 9, 0, 0), (12, 6, 0.0, 0, 0, 0), (13, 7, 0.0, 0, 0, 0)]
    )
    users = users_table([1], followees={1: [5, 6, 1]}, muted={1: [5, 7]})
    assert feeds(state, posts, users, k=4) == {1: [12]}


def test_in_network_source_matches_a_brute_force_ranking() -> None:
    from oasis.recsys.twitter import in_network_source

    rng = np.random.default_rng(4)
    rows = [(p, int(rng.integers(0, 12)), 0.0, 0, 0, 0) for p in range(300)]
    posts = posts_table(rows)
    score = rng.integers(0, 5, 300).astype(float)  # many ties: broken by post id
    follow = {u: rng.choice(12, 4, replace=False).tolist() for u in range(6)}
    users = users_table(list(range(6)), followees=follow)
    got = in_network_source(posts, users, score)(np.array([1, 4, 5]), 7)
    for line, user in zip(got, [1, 4, 5], strict=True):
        mine = [p for p, a, *_ in rows if a in follow[user]]
        best = sorted(mine, key=lambda p: (-score[p], p))[:7]
        assert line.tolist() == best + [-1] * (7 - len(best))


@pytest.mark.parametrize("stays", [True, False])
def test_followees_posts_stay_in_the_timeline_strangers_are_shown_once(
    state: RecsysState, stays: bool
) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, dict.fromkeys(range(10, 14), 0))
    followed = [(10, 5, 0.0, 0, 0, 0), (11, 5, 1.0, 0, 0, 0)]
    strangers = [(12, 6, 2.0, 0, 0, 0), (13, 6, 3.0, 0, 0, 0)]
    users = users_table([1], followees={1: [5]})
    state.shown.add(np.array([1, 1, 1]), np.array([10, 11, 13]))
    settings = RecsysSettings(kind="twitter", k=4, in_network_share=0.5, in_network_stays=stays)
    rec = make_recommender(settings, state.embedder, state)
    feed = rec.recommend(posts_table(followed + strangers), users, 4.0, np.random.default_rng(0))
    assert feed.as_dict()[1].tolist() == ([11, 10, 12] if stays else [12])


def test_out_of_network_posts_decay_with_age(state: RecsysState) -> None:
    # equal cosine; the old post's author has the larger reach (factor 2 against 1), but ten
    # half-lives of age (2 * 2**-10 against 1) put the fresh post first
    put_profiles(state, {1: 0})
    put_posts(state, {10: 0, 11: 0})
    posts = posts_table([(10, 6, 0.0, 0, 0, 0), (11, 7, 10 * HOUR, 0, 0, 0)])
    users = users_table([1], followers={6: 10**6, 7: 0})
    assert feeds(state, posts, users, k=2, share=0.0, now=10 * HOUR) == {1: [11, 10]}
