"""The stance book: reading moves the reader, never the author of what was read."""

from __future__ import annotations

import numpy as np
import pytest

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.opinions.settings import InterviewSettings, OpinionSettings, StanceDistribution
from oasis.loop.stance_book import StanceBook


def test_a_reader_moves_toward_the_post_and_its_author_stays() -> None:
    settings = OpinionSettings(
        model="deffuant", confidence=0.5, convergence=0.3, read_comments=False,
        groups={"a": StanceDistribution(mean=-0.2, spread=0.0),
                "b": StanceDistribution(mean=0.2, spread=0.0)},
    )  # fmt: skip
    book = StanceBook(settings, InterviewSettings(), 0, np.array([1, 2]), np.array(["a", "b"]))
    batch = HeuristicBatch(
        agent_ids=np.array([1]), indptr=np.array([0, 1]), post_ids=np.array([10]),
        author_ids=np.array([2]), similarity=np.array([1.0]), popularity=np.array([0.0]),
        comment_ids=np.array([-1]), comment_scores=np.array([0.0]), topics=["x"],
        stances=np.array([-0.2]), post_stances=np.array([0.2]),
    )  # fmt: skip
    record = book.after_reading(batch)
    # Deffuant-Weisbuch: |0.2 - (-0.2)| < 0.5, so the reader moves 0.3 of the way
    assert record.user_id.tolist() == [1]
    assert record.stance.tolist() == pytest.approx([-0.2 + 0.3 * 0.4])
    book.commit(record)
    assert book.of(np.array([1, 2])).tolist() == pytest.approx([-0.08, 0.2])
