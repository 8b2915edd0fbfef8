"""The roster: agents as columns; agents who join are looked up as the population's are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oasis.loop.roster import Roster, profile_text


def population(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": np.arange(n),
            "user_name": [f"u{i}" for i in range(n)],
            "name": [f"User {i}" for i in range(n)],
            "bio": [f"bio of {i}" for i in range(n)],
            "persona": ["curious"] * n,
            "interests": [["cats", "rain"]] + [[] for _ in range(n - 1)],
        }
    )


def test_joined_agents_are_heuristic_and_found_in_any_order():
    hourly = np.tile(np.linspace(0.1, 0.9, 24, dtype=np.float32), (3, 1))
    roster = Roster(population(3), np.array([True, False, True]), hourly)
    assert roster.next_free_id() == 3
    roster.join({4: {"user_name": "late", "name": "Late", "bio": "new here", "persona": ""}})
    assert roster.agent_ids.tolist() == [0, 1, 2, 4]
    assert roster.llm_ids.tolist() == [0, 2]
    assert roster.next_free_id() == 5
    ids = np.array([4, 0, 2])
    assert [p.agent_id for p in roster.profiles(ids).values()] == [4, 0, 2]
    assert roster.profiles(ids)[0].interests == ("cats", "rain")
    assert roster.topics(ids) == ["new here", "cats, rain", "bio of 2"]
    chance = roster.probability(5, uniform=0.2)
    assert isinstance(chance, np.ndarray) and chance.shape == (4,)
    assert chance[3] == np.float32(hourly[:, 5].mean())


def test_without_profiles_every_agent_has_the_uniform_chance():
    roster = Roster(population(2), np.zeros(2, bool), None)
    assert roster.probability(7, uniform=0.3) == 0.3


def test_texts_are_each_agents_profile_text_with_shared_tails_once():
    users = population(4)
    users["name"] = pd.Series(["User 0", None, "", "Ana"], dtype=object)
    users["bio"] = pd.Series(["same", None, float("nan"), "same"], dtype=object)
    users["persona"] = pd.Categorical(["x", "x", None, "x"])
    texts = Roster(users, np.zeros(4, bool), None).texts()
    assert list(texts) == [
        profile_text(*row)
        for row in zip(users["name"], users["bio"], users["persona"], strict=True)
    ]
    assert list(texts) == ["User 0 same x", "x", "nan nan", "Ana same x"]
    assert len(texts.tails) == 3  # "same x" embedded once for agents 0 and 3
