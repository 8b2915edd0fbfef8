"""The API's post queries search an index, so their cost follows the rows they return."""

from __future__ import annotations

import sqlite3

import pytest

from oasis.platform import Platform

# The WHERE clauses of PostQueries.shares and PostQueries.top, with the index each must use.
PLANS = {
    "parent_post_id = 7 AND quote_content IS NULL": "ix_post_parent (parent_post_id=?)",
    "original_post_id IS NULL AND created_step BETWEEN 3 AND 5": (
        "ix_post_original (original_post_id=? AND created_step>? AND created_step<?)"
    ),
}


@pytest.mark.parametrize("where", PLANS)
def test_post_pages_search_an_index(sqlite_url: str, where: str):
    Platform.open(sqlite_url).close()
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        plan = raw.execute(f"EXPLAIN QUERY PLAN SELECT * FROM post WHERE {where}").fetchall()
    assert [row[3] for row in plan] == [f"SEARCH post USING INDEX {PLANS[where]}"]
