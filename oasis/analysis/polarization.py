"""Polarization and opinion shift from agents' interview answers.

Each answer gets a stance in {-1, 0, 1} from a classifier passed in (an LLM judge, a trained
model...). The default, :func:`keyword_stance`, suits OASIS's group-polarization question
(how high must Helen's odds be before she writes her risky novel?): +1 leans to taking the
risk, -1 to caution, 0 neither or both. Per round:

- ``mean_stance``: the average stance (which way the group leans);
- ``extremity``: the mean of |stance|, the share of agents who take a side;
- ``polarization``: the variance of stance, highest when the group splits evenly into -1 and +1.

Between two rounds, an agent's shift is ``stance_after - stance_before``; it became more
extreme when |stance| grew, and flipped when the sign reversed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

Classifier = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class StanceLexicon:
    """Phrases whose counts decide a keyword stance (matched as whole words, any case)."""

    positive: tuple[str, ...]
    negative: tuple[str, ...]


RISK_LEXICON = StanceLexicon(
    positive=(
        "take the leap", "take the risk", "go for it", "embrace", "bold", "worth the risk",
        "worth it", "pursue", "should try", "low probability", "any chance", "follow her passion",
        "dare",
    ),
    negative=(
        "cautious", "caution", "careful", "too risky", "not worth", "safe", "play it safe",
        "high probability", "stick with", "avoid", "wait", "prudent", "secure",
    ),
)  # fmt: skip


def keyword_stance(text: str, lexicon: StanceLexicon = RISK_LEXICON) -> int:
    """Stance of a text by counting lexicon phrases: +1, -1, or 0 on a tie.

    Args:
        text: The answer.
        lexicon: Positive and negative phrases.

    Returns:
        The sign of (positive matches - negative matches).
    """
    lowered = text.lower()
    return int(np.sign(_count(lowered, lexicon.positive) - _count(lowered, lexicon.negative)))


def _count(text: str, phrases: tuple[str, ...]) -> int:
    return sum(len(re.findall(rf"\b{re.escape(p)}\b", text)) for p in phrases)


def stances(answers: pd.DataFrame, classify: Classifier = keyword_stance) -> pd.DataFrame:
    """Classify each interview answer.

    Args:
        answers: Columns ``agent_id``, ``round`` and ``answer``.
        classify: Maps an answer to -1, 0 or 1.

    Returns:
        ``answers`` with a ``stance`` column.

    Raises:
        ValueError: A column is missing or the classifier returns something else.
    """
    missing = {"agent_id", "round", "answer"} - set(answers.columns)
    if missing:
        raise ValueError(f"answers lack columns {sorted(missing)}")
    stance = np.array([classify(str(a)) for a in answers["answer"]], dtype=np.int64)
    if not np.isin(stance, (-1, 0, 1)).all():
        raise ValueError("a stance classifier must return -1, 0 or 1")
    return answers.assign(stance=stance)


def polarization_by_round(stanced: pd.DataFrame) -> pd.DataFrame:
    """Per-round polarization measures (see the module docstring).

    Args:
        stanced: The output of :func:`stances`.

    Returns:
        One row per round: ``round``, ``n``, ``mean_stance``, ``extremity``, ``polarization``,
        ``share_positive`` and ``share_negative``.
    """
    grouped = stanced.assign(
        extremity=stanced["stance"].abs(),
        positive=stanced["stance"] > 0,
        negative=stanced["stance"] < 0,
    ).groupby("round", sort=True)
    return pd.DataFrame(
        {
            "n": grouped["stance"].size(),
            "mean_stance": grouped["stance"].mean(),
            "extremity": grouped["extremity"].mean(),
            "polarization": grouped["stance"].var(ddof=0),
            "share_positive": grouped["positive"].mean(),
            "share_negative": grouped["negative"].mean(),
        }
    ).reset_index()


def opinion_shift(stanced: pd.DataFrame, before: object, after: object) -> pd.DataFrame:
    """Each agent's stance change between two rounds (agents answering both).

    Args:
        stanced: The output of :func:`stances`.
        before: The earlier round.
        after: The later round.

    Returns:
        Indexed by ``agent_id``: ``stance_before``, ``stance_after``, ``shift``,
        ``more_extreme`` and ``flipped``.
    """
    first = stanced[stanced["round"] == before].groupby("agent_id")["stance"].last()
    last = stanced[stanced["round"] == after].groupby("agent_id")["stance"].last()
    both = pd.concat({"stance_before": first, "stance_after": last}, axis=1, join="inner")
    return both.assign(
        shift=both["stance_after"] - both["stance_before"],
        more_extreme=both["stance_after"].abs() > both["stance_before"].abs(),
        flipped=both["stance_after"] * both["stance_before"] < 0,
    )


def shift_summary(shift: pd.DataFrame) -> dict[str, float]:
    """Summarise :func:`opinion_shift`: n, mean shift, shares more extreme and flipped."""
    return {
        "n": float(len(shift)),
        "mean_shift": float(shift["shift"].mean()) if len(shift) else 0.0,
        "share_more_extreme": float(shift["more_extreme"].mean()) if len(shift) else 0.0,
        "share_flipped": float(shift["flipped"].mean()) if len(shift) else 0.0,
    }
