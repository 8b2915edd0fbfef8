"""A run stopped after step k and resumed ends identical to an uninterrupted run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from oasis.config import ExperimentConfig
from oasis.loop.simulation import Simulation
from tests.factories import experiment, finished_dump


def resumed_dump(config: ExperimentConfig, stop_after: int) -> dict[str, list[tuple[Any, ...]]]:
    """``config`` stopped after ``stop_after`` steps, then resumed to its end: its tables."""
    with Simulation.open(config) as first:
        for _ in range(stop_after):
            first.step()
    return finished_dump(config, resume=True)


@pytest.mark.parametrize("with_llm", [False, True])
def test_resume_after_a_stop_matches_an_uninterrupted_run(tmp_path, llm_server, with_llm):
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"} if with_llm else {}
    policy = {"llm_share": 0.5}
    whole = finished_dump(experiment(tmp_path, "whole", steps=5, llm=llm, policy=policy))

    config = experiment(tmp_path, "stopped", steps=5, llm=llm, policy=policy)
    with Simulation.open(config) as first:
        first.step()
        first.step()
    # the process "died" there: steps 0 and 1 are committed, nothing else

    with pytest.raises(ValueError, match="already holds a run"):
        Simulation.open(config)
    with Simulation.open(config, resume=True) as resumed:
        assert resumed.next_step == 2
        resumed.run()
        assert resumed.platform.run_info().last_step == 4
        dump = resumed.platform.dump()
    assert dump == whole


def test_shown_posts_are_forgotten_once_they_leave_the_window_and_resume_still_matches(tmp_path):
    settings = {"steps": 6, "candidate_window_hours": 2}
    with Simulation.open(experiment(tmp_path, "whole", **settings)) as whole:
        whole.run()
        shown_posts = set((whole.recommender.state.shown.keys & 0x7FFFFFFF).tolist())
        with whole.platform.reader() as reader:
            recent = set(reader.post_table(since_step=4)["post_id"].tolist())
        dump = whole.platform.dump()
    assert shown_posts and shown_posts <= recent

    assert resumed_dump(experiment(tmp_path, "stopped", **settings), 3) == dump


def test_a_resumed_run_continues_the_stances(tmp_path):
    opinions = {"model": "deffuant", "confidence": 0.8, "initial": {"mean": 0.0, "spread": 0.6}}
    events = [{"step": 3, "kind": "interview", "question": "Well?"}]
    whole = finished_dump(experiment(tmp_path, "whole", steps=5, opinions=opinions, events=events))
    assert len(whole["stance"]) > 50  # the starts, and the moves of the steps
    config = experiment(tmp_path, "stopped", steps=5, opinions=opinions, events=events)
    assert resumed_dump(config, 2) == whole


@pytest.mark.parametrize("stop_after", [2, 4])
def test_a_resumed_run_ranks_with_the_ivf_lists_of_an_uninterrupted_one(tmp_path, stop_after):
    # Past 20 candidates the twitter kind retrieves with IVF lists, trained at step 0, trained
    # afresh at step 2 (the candidates doubled), moved every other step after; one probe a
    # query makes the feeds depend on the lists.
    settings = {
        "steps": 7,
        "population": {"source": "synthetic", "n_users": 300},
        "activation": {"kind": "uniform", "views_per_hour": 3.0},
        "candidate_window_hours": 3,
        "recsys": {"kind": "twitter", "k": 5, "flat_max_posts": 20, "ivf_nprobe": 1},
    }
    with Simulation.open(experiment(tmp_path, "whole", **settings)) as whole:
        whole.run()
        lists = whole.recommender.state.lists
        assert lists is not None and lists.quantizer is not None and lists.quantizer.lists > 2
        dump = whole.platform.dump()

    assert resumed_dump(experiment(tmp_path, "stopped", **settings), stop_after) == dump


_WINDOW_OF_ONE_STEP = {
    "steps": 8,
    "population": {"source": "synthetic", "n_users": 300},
    "activation": {"kind": "uniform", "views_per_hour": 3.0},
    "candidate_window_hours": 1,
}


def test_post_vectors_are_kept_for_the_window_and_an_older_post_engaged_is_embedded_again(
    tmp_path, db_url
):
    config = experiment(tmp_path, "whole", database=db_url, **_WINDOW_OF_ONE_STEP)
    with Simulation.open(config) as whole:
        whole.run()
        state = whole.recommender.state
        with whole.platform.reader() as reader:
            table = reader.post_table()
            created = dict(
                zip(table["post_id"].tolist(), table["created_step"].tolist(), strict=True)
            )
            older = [
                p for step in range(8) for p in reader.engagement(step)["post_id"].tolist()
                if created[p] < step
            ]  # fmt: skip
            kept, texts = reader.texts_of_posts(state.posts.to_arrays()["ids"].tolist())
    assert older  # liked or shared after they left the one-step window
    assert 0 < len(kept) < len(created) / 2
    np.testing.assert_array_equal(state.posts.vectors(kept), state.embedder.encode(texts))


def test_a_run_that_embedded_older_posts_again_resumes_to_the_same_database(tmp_path):
    whole = finished_dump(experiment(tmp_path, "whole", **_WINDOW_OF_ONE_STEP))
    assert resumed_dump(experiment(tmp_path, "stopped", **_WINDOW_OF_ONE_STEP), 3) == whole
