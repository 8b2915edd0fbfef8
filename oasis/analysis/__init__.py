"""Pure metrics over a run's tables: cascades, polarization, herd effect, activity, reports."""

from oasis.analysis.activity import activity_per_step
from oasis.analysis.cascade import (
    CascadeTree,
    cascade_metrics,
    cascade_tree,
    cascades_metrics,
    write_metrics_csv,
)
from oasis.analysis.herd import herd_effect
from oasis.analysis.polarization import (
    StanceLexicon,
    keyword_stance,
    opinion_shift,
    polarization_by_round,
    shift_summary,
    stances,
)
from oasis.analysis.report import Report, write_report

__all__ = [
    "CascadeTree",
    "Report",
    "StanceLexicon",
    "activity_per_step",
    "cascade_metrics",
    "cascade_tree",
    "cascades_metrics",
    "herd_effect",
    "keyword_stance",
    "opinion_shift",
    "polarization_by_round",
    "shift_summary",
    "stances",
    "write_metrics_csv",
    "write_report",
]
