"""The opinion part of an experiment: which opinion model moves stances, and where they start.

A stance is a number in [-1, 1] on the experiment's question (the interview scale's ``low`` end
is -1, its ``high`` end +1). These settings are the ``opinions`` section of an experiment file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from oasis.core.settings import Section

OpinionModelName = Literal["none", "deffuant", "hegselmann_krause", "jager_amblard"]


class StanceDistribution(Section):
    """Where a group's stances start: a normal of ``mean`` and ``spread``, clipped to [-1, 1].

    ``spread`` is the normal's standard deviation; ``spread: 0`` puts every member at ``mean``.
    """

    mean: float = Field(default=0.0, ge=-1.0, le=1.0)
    spread: float = Field(default=0.5, ge=0.0)


class OpinionSettings(Section):
    """The opinion model of agents without an LLM (see ``oasis.agents.opinions.dynamics``).

    Attributes:
        model: ``none`` (stances never move), ``deffuant`` (Deffuant et al. 2000, bounded
            confidence, one read item at a time), ``hegselmann_krause`` (Hegselmann & Krause 2002,
            bounded confidence, the mean of everything read in a step) or ``jager_amblard``
            (Jager & Amblard 2005, bounded confidence with repulsion beyond ``rejection``).
        confidence: the confidence bound epsilon (Deffuant, Hegselmann-Krause) or latitude of
            acceptance u (Jager-Amblard): content this close to the reader's stance attracts it.
        convergence: mu in (0, 0.5]: how far one read item moves the reader toward it (or away).
        rejection: the latitude of rejection t of Jager-Amblard: content further than this from
            the reader's stance pushes it away; between ``confidence`` and ``rejection`` nothing
            happens. Must be at least ``confidence``.
        read_comments: whether the comments shown under a post count as read, besides the post.
        initial: the starting stances of agents in no group of ``groups`` (a synthetic
            population's distribution).
        groups: starting stances per seed group (e.g. ``conservative`` and ``progressive`` of
            the group-polarization seed), by the population's group names.
    """

    model: OpinionModelName = "none"
    confidence: float = Field(default=0.5, gt=0.0, le=2.0)
    convergence: float = Field(default=0.3, gt=0.0, le=0.5)
    rejection: float = Field(default=1.0, gt=0.0, le=2.0)
    read_comments: bool = True
    initial: StanceDistribution = StanceDistribution()
    groups: dict[str, StanceDistribution] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _rejection_beyond_acceptance(self) -> OpinionSettings:
        if self.rejection < self.confidence:
            raise ValueError("rejection must be at least confidence (Jager-Amblard's t >= u)")
        return self

    @property
    def enabled(self) -> bool:
        """Whether stances move at all."""
        return self.model != "none"


class StanceScale(Section):
    """The scale an interview answer is rated on; its ends map to stances -1 and +1.

    Attributes:
        low: the number at the ``low_label`` end.
        high: the number at the ``high_label`` end.
        low_label: what the low end means for the experiment's question.
        high_label: what the high end means.
    """

    low: float = -1.0
    high: float = 1.0
    low_label: str = "strongly against"
    high_label: str = "strongly for"

    @model_validator(mode="after")
    def _ordered(self) -> StanceScale:
        if self.high <= self.low:
            raise ValueError("high must be above low")
        return self

    def to_stance(self, value: float) -> float:
        """A rating on this scale as a stance in [-1, 1]."""
        position = (value - self.low) / (self.high - self.low)
        return float(min(max(2.0 * position - 1.0, -1.0), 1.0))

    def from_stance(self, stance: float) -> float:
        """A stance in [-1, 1] as a rating on this scale."""
        return self.low + (stance + 1.0) / 2.0 * (self.high - self.low)


class ScorerSettings(Section):
    """How an LLM agent's interview answer becomes a stance.

    Attributes:
        kind: ``llm`` asks an OpenAI-compatible endpoint (by default the agents' own, see
            ``endpoints``) to rate the answer on the scale under a JSON schema, as the OASIS paper
            used an LLM judge; ``lexical`` counts the ``positive`` and ``negative`` phrases
            (whole words, any case) and gives (positive - negative) / (positive + negative),
            deterministic and offline.
        endpoints: the judge's endpoints; empty: the agents' LLM endpoints.
        model: the judge's model; None: the agents' model.
        positive: phrases that lean to the scale's high end (lexical scorer).
        negative: phrases that lean to the low end (lexical scorer).
    """

    kind: Literal["llm", "lexical"] = "llm"
    endpoints: tuple[str, ...] = ()
    model: str | None = None
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


class InterviewSettings(Section):
    """The interview question's scale and how answers are scored (the question is the event's)."""

    scale: StanceScale = StanceScale()
    scorer: ScorerSettings = ScorerSettings()
