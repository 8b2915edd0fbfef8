import numpy as np
import pandas as pd
import pytest

from oasis.analysis import (
    StanceLexicon,
    activity_per_step,
    herd_effect,
    keyword_stance,
    opinion_shift,
    polarization_by_round,
    shift_summary,
    stances,
)


def test_keyword_stance() -> None:
    assert keyword_stance("She should take the leap and go for it!") == 1
    assert keyword_stance("Too risky. Helen should be cautious and play it safe.") == -1
    assert keyword_stance("I have no idea.") == 0
    assert keyword_stance("Be bold, but be careful.") == 0
    assert keyword_stance("unsafe", StanceLexicon(("unsafe",), ("safe",))) == 1  # whole words only


ANSWERS = pd.DataFrame(
    {
        "agent_id": [0, 1, 2, 3, 0, 1, 2, 3],
        "round": [0, 0, 0, 0, 1, 1, 1, 1],
        "answer": [
            "go for it",
            "be cautious",
            "no idea",
            "no idea",
            "go for it, be bold, embrace it",
            "be bold",
            "too risky",
            "go for it",
        ],
    }
)


def test_polarization_per_round() -> None:
    per_round = polarization_by_round(stances(ANSWERS))
    first, second = per_round.iloc[0], per_round.iloc[1]
    assert first["n"] == 4 and first["mean_stance"] == 0.0 and first["extremity"] == 0.5
    assert first["polarization"] == pytest.approx(0.5)
    assert second["mean_stance"] == pytest.approx(0.5) and second["extremity"] == 1.0
    assert second["polarization"] == pytest.approx(0.75)
    assert (second["share_positive"], second["share_negative"]) == (0.75, 0.25)


def test_opinion_shift() -> None:
    shift = opinion_shift(stances(ANSWERS), 0, 1)
    assert shift["shift"].tolist() == [0, 2, -1, 1]
    assert shift["flipped"].tolist() == [False, True, False, False]
    assert shift["more_extreme"].tolist() == [False, False, True, True]
    assert shift_summary(shift) == {
        "n": 4.0,
        "mean_shift": 0.5,
        "share_more_extreme": 0.5,
        "share_flipped": 0.25,
    }


def test_custom_classifier_is_checked() -> None:
    labelled = stances(ANSWERS, classify=lambda text: 1 if "bold" in text else 0)
    assert labelled["stance"].sum() == 2
    with pytest.raises(ValueError, match="-1, 0 or 1"):
        stances(ANSWERS, classify=lambda text: 2)
    with pytest.raises(ValueError, match="answer"):
        stances(ANSWERS.drop(columns=["answer"]))


def test_herd_effect() -> None:
    comments = pd.DataFrame(
        {
            "group": ["up", "up", "down", "down", "down", "control"],
            "num_likes": [5, 3, 0, 1, 2, 2],
            "num_dislikes": [1, 1, 2, 1, 3, 2],
        }
    )
    table = herd_effect(comments)
    assert table.index.tolist() == ["up", "down", "control"]
    assert table["n"].tolist() == [2, 3, 1]
    assert table["mean_score"].tolist() == [3.0, -1.0, 0.0]
    assert table.loc["up", "std_score"] == 1.0


def test_herd_effect_empty_group_and_bad_input() -> None:
    table = herd_effect(pd.DataFrame({"group": ["up"], "num_likes": [1], "num_dislikes": [0]}))
    assert table.loc["control", "n"] == 0 and np.isnan(table.loc["control", "mean_score"])
    with pytest.raises(ValueError, match="sideways"):
        herd_effect(pd.DataFrame({"group": ["sideways"], "num_likes": [1], "num_dislikes": [0]}))
    with pytest.raises(ValueError, match="num_dislikes"):
        herd_effect(pd.DataFrame({"group": ["up"], "num_likes": [1]}))


def test_activity_per_step_fills_idle_steps() -> None:
    trace = pd.DataFrame(
        {"step": [1, 1, 1, 3], "action": ["like_post", "repost", "like_post", "repost"]}
    )
    per_step = activity_per_step(trace)
    assert per_step.index.tolist() == [1, 2, 3]
    assert per_step["like_post"].tolist() == [2, 0, 0]
    assert per_step["total"].tolist() == [3, 0, 1]
