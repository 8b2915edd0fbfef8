"""The heuristic's defaults follow from the figures its settings cite (HeuristicSettings)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from oasis.agents.heuristic.attention import kernel_mass
from oasis.agents.heuristic.policy import shareability, vote_rates
from oasis.agents.heuristic.settings import HeuristicSettings
from oasis.config import load_config
from oasis.core.clock import (
    DEFAULT_MINUTES_PER_STEP,
    hourly_probabilities,
    rate_multipliers,
    step_activity,
)
from oasis.datasets.fields import hourly
from oasis.datasets.settings import BUILTIN_DATA, PopulationSettings
from oasis.datasets.twitter import ACTIVITY_COLUMN
from oasis.loop.settings import ActivationSettings
from oasis.recsys.settings import RecsysSettings

RATES = HeuristicSettings()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# [Muchnik13]: votes, comment views (more than), up- and down-treated comments (the site's ratio)
VOTES, VIEWS, UP, DOWN = 308_515, 10_000_000, 4_049, 1_942
# [Muchnik13]: comments, the next rater's rise in up-votes after a planted up-vote
COMMENTS, UP_RISE = 101_281, 0.32
# [Pew19]: tweets per like (138 to 70, 2 to 1); [Pew21]: replies and retweets of the less active
TWEETS_PER_LIKE, REPLIES, RETWEETS = 2.0, 0.51, 0.26
FEED = RecsysSettings().k  # the most entries an active agent reads in a step


def test_vote_rates_are_muchniks_votes_per_view():
    assert RATES.comment_vote == round(VOTES / VIEWS, 2)
    assert RATES.like == round(VOTES / VIEWS * UP / (UP + DOWN), 2)
    assert RATES.dislike == round(VOTES / VIEWS * DOWN / (UP + DOWN), 2)
    assert (1 + math.tanh(RATES.vote_lean)) / 2 == pytest.approx(UP / (UP + DOWN), abs=0.005)
    assert RATES.popularity_herding == pytest.approx(0.32)  # Muchnik's 32% after one up-vote


def test_posting_rates_are_pews_per_like():
    assert RATES.repost == round(TWEETS_PER_LIKE * RETWEETS * RATES.like, 2)
    assert RATES.comment == round(TWEETS_PER_LIKE * REPLIES * RATES.like, 2)
    own = TWEETS_PER_LIKE * (1 - REPLIES - RETWEETS)
    assert RATES.post == round(own * FEED * RATES.like, 2)


def follows_per_day(path: Path) -> float:
    """Median following count over account age, aged at the newest account's creation."""
    users = pd.read_csv(path)
    created = pd.to_datetime(users["created_at"])
    days = (created.max() - created).dt.total_seconds() / 86_400
    old = days > 30  # a month's age at least, so one day's follows do not dominate
    return float(np.median(users["following_count"][old] / days[old]))


def test_the_seed_bounds_the_follow_rate():
    per_day = follows_per_day(BUILTIN_DATA / "twitter" / "user_all_id_time.csv")
    assert per_day == pytest.approx(0.64, abs=0.005)
    active_steps = 24 * ActivationSettings().views_per_hour  # feed views a simulated day
    likes_per_day = FEED * RATES.like * active_steps
    assert active_steps == pytest.approx(4.8)
    assert per_day / likes_per_day == pytest.approx(0.67, abs=0.005)
    assert RATES.follow < per_day / likes_per_day


def test_the_vote_model_answers_shown_scores_as_muchnik_found():
    scores = np.array([1.0, 0.0, -1.0])
    up, down = vote_rates(RATES, scores)
    assert up[0] / up[1] == pytest.approx(1 + UP_RISE)  # the next rater 32% likelier to up-vote
    assert down[0] == pytest.approx(down[1])  # and no more or less likely to down-vote
    assert down[2] > down[1] and up[2] - up[1] > down[2] - down[1]  # correction outweighs
    assert up[1] + down[1] == pytest.approx(RATES.comment_vote)  # at 0, the site's vote rate


def expected_score(rates: HeuristicSettings, planted: int, views: int) -> float:
    """A comment's expected final score (planted vote included) after ``views`` views."""
    scores = np.arange(-views - 1, views + 2)
    up, down = vote_rates(rates, scores.astype(np.float64))
    chance = (scores == planted).astype(np.float64)
    for _ in range(views):
        moved = chance * (1 - up - down)
        moved[1:] += (chance * up)[:-1]
        moved[:-1] += (chance * down)[1:]
        chance = moved
    return float(chance @ scores)


def test_herding_and_correction_reproduce_muchniks_direction():
    assert RATES.negative_herding == RATES.positive_herding == UP_RISE  # the first an assumption
    up_share = UP / (UP + DOWN)  # a negative score raises the net vote as a positive one does
    assert RATES.correction == round(UP_RISE * (1 + (1 - up_share) / up_share), 2)
    views = round(VOTES / COMMENTS / (VOTES / VIEWS))  # 99 views per comment
    assert views == 99
    control = expected_score(RATES, 0, views)
    agents_on_up = expected_score(RATES, 1, views) - 1  # the planted vote left out
    agents_on_down = expected_score(RATES, -1, views) + 1
    assert agents_on_up / control == pytest.approx(1.15, abs=0.005)  # the study: 1.25
    assert agents_on_down - control == pytest.approx(0.09, abs=0.005)  # not below control


# [Zhao15] SEISMIC's memory kernel: plateau (seconds), exponent, level (per second)
PLATEAU_S, THETA, LEVEL = 300.0, 0.242, 6.94e-4
# [Kwak10]: shares of retweets within an hour and within a day of the tweet
WITHIN_HOUR, WITHIN_DAY = 0.5, 0.75


def test_attention_is_seismics_kernel_and_matches_kwaks_retweet_times():
    assert (RATES.attention_plateau_s, RATES.attention_theta) == (PLATEAU_S, THETA)
    whole = PLATEAU_S * (1 + 1 / THETA)  # the kernel's integral at level 1
    assert LEVEL * whole == pytest.approx(1.0, abs=0.07)  # SEISMIC's phi is a density
    within = {
        m: float(kernel_mass(np.array([m * 60.0]), PLATEAU_S, THETA)[0]) / whole
        for m in (36, 60, 24 * 60)
    }
    assert within[36] == pytest.approx(0.5, abs=0.005)
    assert within[60] == pytest.approx(0.56, abs=0.005) and within[60] >= WITHIN_HOUR
    assert within[24 * 60] == pytest.approx(0.80, abs=0.005) and within[24 * 60] >= WITHIN_DAY


def test_the_default_activation_is_one_view_in_five_hours_at_the_default_clock():
    chance, views = step_activity(ActivationSettings().views_per_hour, DEFAULT_MINUTES_PER_STEP)
    assert (float(chance), float(views)) == (0.2, 1.0)


def test_the_synthetic_follow_graph_takes_kwaks_twitter_figures():
    # [Kwak10]: Twitter's degrees fit a power law of exponent 2.276, and 22.1% of user pairs
    # with a follow between them follow each other (77.9% one-way)
    settings = PopulationSettings()
    assert settings.degree_exponent == 2.276
    assert settings.reciprocity == pytest.approx(1 - 0.779)


def test_shareability_is_a_mean_one_log_normal_per_post_and_off_by_default():
    # share_spread: each original's repost chance x exp(s z - s^2 / 2), z standard normal, drawn
    # once per post, so the mean rate stays [Pew19]/[Pew21]'s; no study gives s (default 0)
    assert RATES.share_spread == 0.0
    posts = np.arange(200_000)
    multiplier = shareability(11, posts, 1.0)
    assert multiplier.mean() == pytest.approx(1.0, abs=0.02)
    assert np.log(multiplier).std() == pytest.approx(1.0, abs=0.01)
    assert np.array_equal(shareability(11, posts[::-1], 1.0), multiplier[::-1])  # per post
    assert not np.array_equal(shareability(12, posts, 1.0), multiplier)  # per run seed
    assert np.array_equal(shareability(11, posts, 0.0), np.ones(len(posts)))


def test_the_cascade_example_reads_followee_timelines_as_the_real_cascades_did():
    # Goel et al. 2016 and Vosoughi et al. 2018 recorded retweet cascades on Twitter's home
    # timeline of followees; OASIS's recommender adds strangers' posts by interest
    assert RecsysSettings().out_of_network
    config = load_config(EXAMPLES / "cascades_at_scale.yaml", environ={})
    assert not config.recsys.out_of_network
    assert config.policy.heuristic.share_spread == 1.0


def _top_tenth_share(views: np.ndarray) -> float:
    ranked = np.sort(views)[::-1]
    return float(ranked[: len(ranked) // 10].sum() / ranked.sum())


def test_rate_spread_gives_pews_unequal_users_on_top_of_the_seed_profiles():
    # [Pew19]: the top 10% of U.S. adult tweeters write 80% of the tweets. A log-normal alone
    # does at a log-sd of z(0.9) - z(0.2) = 2.12; the synthetic users copy the seed's 111 hourly
    # profiles, already unequal (48%), and a multiplier of log-sd 1.8 brings them to 80%.
    assert ActivationSettings().rate_spread == 0.0
    assert norm.ppf(0.9) - norm.ppf(0.2) == pytest.approx(2.12, abs=0.005)
    path = BUILTIN_DATA / "twitter" / "user_all_id_time.csv"
    per_day = hourly_probabilities(hourly(pd.read_csv(path), ACTIVITY_COLUMN, path)).sum(axis=1)
    users = np.arange(200_000)
    copied = per_day[np.random.default_rng(0).integers(0, len(per_day), len(users))]
    assert _top_tenth_share(copied) == pytest.approx(0.48, abs=0.02)
    config = load_config(EXAMPLES / "cascades_at_scale.yaml", environ={})
    spread = config.activation.rate_spread
    assert spread == 1.8
    multiplier = rate_multipliers(11, users, spread)
    assert _top_tenth_share(copied * multiplier) == pytest.approx(0.80, abs=0.01)
    assert multiplier.mean() == pytest.approx(1.0, abs=0.03)  # the mean rate stays
    assert np.log(multiplier).std() == pytest.approx(spread, abs=0.01)
    assert np.array_equal(rate_multipliers(11, users[::-1], spread), multiplier[::-1])  # per agent
    assert not np.array_equal(rate_multipliers(12, users, spread), multiplier)  # per run seed
