"""The heuristic's defaults follow from the figures its settings cite (HeuristicSettings)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oasis.agents.settings import HeuristicSettings
from oasis.core.clock import DEFAULT_MINUTES_PER_STEP
from oasis.datasets.settings import BUILTIN_DATA
from oasis.loop.settings import ActivationSettings
from oasis.recsys.settings import RecsysSettings

RATES = HeuristicSettings()
# [Muchnik13]: votes, comment views (more than), up- and down-treated comments (the site's ratio)
VOTES, VIEWS, UP, DOWN = 308_515, 10_000_000, 4_049, 1_942
# [Pew19]: tweets per like (138 to 70, 2 to 1); [Pew21]: replies and retweets of the less active
TWEETS_PER_LIKE, REPLIES, RETWEETS = 2.0, 0.51, 0.26
FEED = RecsysSettings().k  # the most entries an active agent reads in a step


def test_vote_rates_are_muchniks_votes_per_view():
    assert RATES.comment_vote == round(VOTES / VIEWS, 2)
    assert RATES.like == round(VOTES / VIEWS * UP / (UP + DOWN), 2)
    assert RATES.dislike == round(VOTES / VIEWS * DOWN / (UP + DOWN), 2)
    assert (1 + math.tanh(RATES.vote_lean)) / 2 == pytest.approx(UP / (UP + DOWN), abs=0.005)
    assert 1 + RATES.popularity_weight * math.log1p(1) == pytest.approx(1.32, abs=0.005)


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
    active_steps = 24 * 60 / DEFAULT_MINUTES_PER_STEP * ActivationSettings().probability
    likes_per_day = FEED * RATES.like * active_steps
    assert active_steps == pytest.approx(4.8)
    assert per_day / likes_per_day == pytest.approx(0.67, abs=0.005)
    assert RATES.follow < per_day / likes_per_day
