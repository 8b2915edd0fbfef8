import numpy as np

from oasis.recsys import RecsysState
from oasis.recsys.selection import Exclusions
from tests.recsys.cases import posts_table, users_table


def test_shared_pool_path_matches_the_per_row_path(state: RecsysState) -> None:
    rng = np.random.default_rng(5)
    posts = posts_table([(p, int(rng.integers(0, 30)), 0.0, 0, 0, 0) for p in range(200)])
    user_ids = list(range(0, 60, 2))
    users = users_table(user_ids, muted={u: rng.integers(0, 30, 3).tolist() for u in user_ids})
    state.shown.add(rng.choice(user_ids, 500), rng.integers(0, 200, 500))
    excl = Exclusions.build(users, state.shown)
    pool = rng.permutation(200)[:50]
    pool[7] = pool[3]  # a repeated candidate is kept once
    rows = np.array([0, 2, 3, 9, 17, 29])
    shared = excl.keep(rows, np.broadcast_to(pool, (rows.size, pool.size)), posts)
    per_row = excl.keep(rows, np.tile(pool, (rows.size, 1)), posts)
    np.testing.assert_array_equal(shared, per_row)
    assert 0 < shared.sum() < shared.size and not shared[:, 7].any()
