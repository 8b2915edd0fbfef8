"""Opinion dynamics of agents without an LLM: published models, as pure numpy functions.

Every agent holds a stance in [-1, 1]. In a step an agent reads content (the posts of its feed
and, optionally, the comments shown under them), each item carrying its author's stance; the
model of the experiment's ``opinions`` section moves the reader's stance:

- :func:`deffuant_weisbuch`: bounded confidence with pairwise compromise (Deffuant, Neau,
  Amblard & Weisbuch 2000, "Mixing beliefs among interacting agents", Adv. Complex Syst. 3).
- :func:`hegselmann_krause`: bounded confidence with averaging (Hegselmann & Krause 2002,
  "Opinion dynamics and bounded confidence", JASSS 5(3)).
- :func:`jager_amblard`: bounded confidence with repulsion, from social judgment theory (Jager &
  Amblard 2005, "Uniformity, bipolarization and pluriformity captured as generic stylized
  behavior with an agent-based simulation model of attitude change", Comput. Math. Organ.
  Theory 10).

Only the reader moves: what it read was written earlier and keeps the stance its author had
then. Items without a stance (NaN) are skipped. The inputs are CSR columns: reader ``i`` read
``read[indptr[i]:indptr[i + 1]]``, in feed order, which the sequential models follow.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from oasis.agents.opinions.settings import OpinionSettings, StanceDistribution
from oasis.core.rng import Stream, uniform


def deffuant_weisbuch(
    stance: np.ndarray,
    indptr: np.ndarray,
    read: np.ndarray,
    confidence: float,
    convergence: float,
) -> np.ndarray:
    """Deffuant-Weisbuch (2000): each read item within ``confidence`` pulls the reader toward it.

    For each item y read in order, if |x - y| < epsilon then x <- x + mu (y - x). A wide bound
    leads a mixing population to consensus; a narrow one leaves several opinion clusters about
    ``1 / (2 epsilon)`` of them.

    Args:
        stance: (n,) the readers' stances.
        indptr: (n + 1,) CSR offsets into ``read``.
        read: stances of the items read (NaN: no stance).
        confidence: epsilon, the confidence bound.
        convergence: mu in (0, 0.5], the convergence parameter.

    Returns:
        The new stances, a new array.
    """
    return _sequential(stance, indptr, read, confidence, 3.0, convergence)


def jager_amblard(
    stance: np.ndarray,
    indptr: np.ndarray,
    read: np.ndarray,
    acceptance: float,
    rejection: float,
    convergence: float,
) -> np.ndarray:
    """Jager-Amblard (2005): attraction within ``acceptance``, repulsion beyond ``rejection``.

    For each item y read in order, with d = |x - y|: if d < u, x <- x + mu (y - x)
    (assimilation); if d > t, x <- x - mu (y - x) (contrast); otherwise nothing. Stances stay in
    [-1, 1]. Two groups further apart than t drive each other to the opposite extremes
    (bipolarization).

    Args:
        stance: (n,) the readers' stances.
        indptr: (n + 1,) CSR offsets into ``read``.
        read: stances of the items read (NaN: no stance).
        acceptance: u, the latitude of acceptance.
        rejection: t >= u, the latitude of rejection.
        convergence: mu in (0, 0.5].

    Returns:
        The new stances, a new array.
    """
    return _sequential(stance, indptr, read, acceptance, rejection, convergence)


def hegselmann_krause(
    stance: np.ndarray, indptr: np.ndarray, read: np.ndarray, confidence: float
) -> np.ndarray:
    """Hegselmann-Krause (2002): the mean of the reader's stance and every item within bound.

    All items read in a step count at once (the model's synchronous update): the reader takes
    the mean of its own stance and of every item read within ``confidence`` of it.

    Args:
        stance: (n,) the readers' stances.
        indptr: (n + 1,) CSR offsets into ``read``.
        read: stances of the items read (NaN: no stance).
        confidence: epsilon, the confidence bound.

    Returns:
        The new stances, a new array.
    """
    x = np.asarray(stance, np.float64)
    row = np.repeat(np.arange(len(x)), np.diff(indptr))
    y = np.asarray(read, np.float64)
    close = ~np.isnan(y) & (np.abs(y - x[row]) <= confidence)
    sums = np.bincount(row, np.where(close, y, 0.0), minlength=len(x)) + x
    counts = np.bincount(row, close.astype(np.float64), minlength=len(x)) + 1.0
    return sums / counts


def _sequential(
    stance: np.ndarray,
    indptr: np.ndarray,
    read: np.ndarray,
    acceptance: float,
    rejection: float,
    convergence: float,
) -> np.ndarray:
    """Items read one position at a time, vectorised over readers (Deffuant: no rejection)."""
    x = np.array(stance, np.float64)
    y_all = np.asarray(read, np.float64)
    lengths = np.diff(indptr)
    for position in range(int(lengths.max(initial=0))):
        readers = np.flatnonzero(lengths > position)
        y = y_all[indptr[readers] + position]
        gap = y - x[readers]
        distance = np.abs(gap)
        pull = np.where(distance < acceptance, 1.0, np.where(distance > rejection, -1.0, 0.0))
        pull[np.isnan(y)] = 0.0
        x[readers] = np.clip(x[readers] + convergence * pull * np.nan_to_num(gap), -1.0, 1.0)
    return x


def read_in_feed(
    indptr: np.ndarray,
    post_stances: np.ndarray,
    comment_stances: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """What each agent read in a step as CSR: every feed post, then the comments shown under it.

    Args:
        indptr: (n + 1,) each agent's feed entries.
        post_stances: (entries,) the posts' stances.
        comment_stances: (entries, k) the shown comments' stances (NaN: none), or None to
            count posts only.

    Returns:
        ``(indptr, read)`` for the opinion models.
    """
    columns = [np.asarray(post_stances, np.float64).reshape(-1, 1)]
    if comment_stances is not None:
        shown = np.asarray(comment_stances, np.float64)
        columns.append(shown.reshape(len(post_stances), -1 if len(post_stances) else 0))
    read = np.hstack(columns)
    return np.asarray(indptr) * read.shape[1], read.ravel()


MODELS: dict[str, tuple[Callable[..., np.ndarray], dict[str, str]]] = {
    "deffuant": (deffuant_weisbuch, {"confidence": "confidence", "convergence": "convergence"}),
    "hegselmann_krause": (hegselmann_krause, {"confidence": "confidence"}),
    "jager_amblard": (
        jager_amblard,
        {"acceptance": "confidence", "rejection": "rejection", "convergence": "convergence"},
    ),
}
"""Each opinion model by its ``opinions.model`` name: its function, and each of its parameters
by the setting it is read from (a new model is a function and a row here, and its name in
``OpinionModelName``)."""


def model_parameters(settings: OpinionSettings) -> dict[str, float]:
    """The configured model's parameters by its own names (none for ``none``)."""
    _, parameters = MODELS.get(settings.model, (None, {}))
    return {name: float(getattr(settings, key)) for name, key in parameters.items()}


def update_stances(
    settings: OpinionSettings, stance: np.ndarray, indptr: np.ndarray, read: np.ndarray
) -> np.ndarray:
    """The readers' new stances under the configured model (unchanged for ``none``)."""
    if settings.model not in MODELS:
        return np.array(stance, np.float64)
    model, _ = MODELS[settings.model]
    return model(stance, indptr, read, **model_parameters(settings))


def initial_stances(
    settings: OpinionSettings, seed: int, agent_ids: np.ndarray, groups: np.ndarray | None
) -> np.ndarray:
    """Starting stances: each agent's group distribution (``initial`` outside ``groups``).

    Draws come from the ``OPINION`` stream at step -1, one pair per agent id (Box-Muller), so an
    agent's starting stance does not depend on who else is in the population.
    """
    u = uniform(seed, Stream.OPINION, -1, agent_ids, 2)
    normal = np.sqrt(-2.0 * np.log1p(-u[:, 0])) * np.cos(2.0 * np.pi * u[:, 1])
    mean, spread = np.empty(len(agent_ids)), np.empty(len(agent_ids))
    for i, group in enumerate(groups if groups is not None else [None] * len(agent_ids)):
        dist: StanceDistribution = settings.groups.get(str(group), settings.initial)
        mean[i], spread[i] = dist.mean, dist.spread
    start: np.ndarray = np.clip(mean + spread * normal, -1.0, 1.0)
    return start
