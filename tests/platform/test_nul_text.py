"""Issue #13.2: a NUL character in any text is stored the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from oasis.platform.text import REPLACEMENT

A = ActionType


def test_nul_in_actions_memories_and_profiles_is_replaced_on_both_backends(db_url):
    platform = Platform.open(db_url)
    users = pd.DataFrame(
        {"user_id": [1, 2], "user_name": ["a\x00", "b"], "name": ["A", "B\x00"],
         "bio": ["x\x00y", ""], "persona": ["", "\x00"]}
    )  # fmt: skip
    platform.load_population(users, np.array([[1, 2]]), step=-1)
    actions = [
        Action(1, A.CREATE_POST, {"content": "he\x00llo"}),
        Action(2, A.SIGN_UP, {"user_name": "c\x00", "name": "C", "bio": "\x00"}),
        Action(2, A.SEARCH_POSTS, {"query": "\x00"}),
        Action(1, A.DO_NOTHING, {"raw": ["\x00"]}),
    ]
    with platform.step(0) as tx:
        results = tx.apply(actions)
        tx.save_memories({1: {"notes": ["m\x00"]}})
    platform.apply(1, [Action(2, A.CREATE_COMMENT, {"post_id": 1, "content": "\x00!"})])
    with platform.reader() as reader:
        memory = reader.memories([1])
    tables = platform.dump()
    platform.close()
    assert results[0].ok
    text = repr(tables) + repr(memory)
    assert "\\x00" not in text and "\x00" not in text
    assert f"he{REPLACEMENT}llo" in text and f"{REPLACEMENT}!" in text
    assert f"x{REPLACEMENT}y" in text
