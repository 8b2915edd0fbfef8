"""The API's page queries search an index, so their cost follows the rows they return."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.dialects import sqlite

from oasis.platform import Platform
from oasis.platform.queries.runs import _traces
from oasis.platform.queries.users import _FOLLOWEES, _FOLLOWERS

NOT_A_REPOST = "NOT (original_post_id IS NOT NULL AND quote_content IS NULL)"
IN_STEPS = "created_step>? AND created_step<?"
# The WHERE clauses of PostQueries.shares and PostQueries.top, with the index each must use.
PLANS = {
    "parent_post_id = 7 AND quote_content IS NULL": "ix_post_parent (parent_post_id=?)",
    f"{NOT_A_REPOST} AND created_step BETWEEN 3 AND 5": f"ix_post_step ({IN_STEPS})",
}


@pytest.mark.parametrize("where", PLANS)
def test_post_pages_search_an_index(sqlite_url: str, where: str):
    Platform.open(sqlite_url).close()
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        plan = raw.execute(f"EXPLAIN QUERY PLAN SELECT * FROM post WHERE {where}").fetchall()
    assert [row[3] for row in plan] == [f"SEARCH post USING INDEX {PLANS[where]}"]


@pytest.mark.parametrize("query", [_FOLLOWERS, _FOLLOWEES], ids=["followers", "followees"])
def test_follow_pages_come_in_order_from_an_index(sqlite_url: str, query):
    """A page of a user's followers (or followees) reads that page only, never sorting them all."""
    Platform.open(sqlite_url).close()
    values = {"id": 1, "limit": 50, "offset": 0}
    sql = str(query.compile(dialect=sqlite.dialect(paramstyle="named")))
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        plan = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", values)]
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert any(step.startswith("SEARCH follow USING") for step in plan), plan


def test_failed_actions_are_listed_from_their_own_index(sqlite_url: str):
    """Listing the failed actions of a run reads them alone, not every action before them."""
    Platform.open(sqlite_url).close()
    compiled = _traces((), False).compile(dialect=sqlite.dialect(paramstyle="named"))
    values = {**compiled.params, "after": 0, "limit": 50}
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        plan = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {compiled}", values)]
    assert plan == ["SEARCH trace USING INDEX ix_trace_failed (trace_id>?)"]


def test_peoples_actions_are_listed_from_their_own_index(sqlite_url: str):
    """Listing what people did reads their actions alone, not the agents' before them."""
    Platform.open(sqlite_url).close()
    compiled = _traces((), None, "person").compile(dialect=sqlite.dialect(paramstyle="named"))
    values = {**compiled.params, "after": 0, "limit": 50}
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        plan = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {compiled}", values)]
    assert plan == ["SEARCH trace USING INDEX ix_trace_person (trace_id>?)"]
