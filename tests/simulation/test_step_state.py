"""The in-memory step state after N steps equals the state loaded from the database then."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from oasis.agents.heuristic.policy import SHOWN_COMMENTS
from oasis.config import DEFAULT_ACTIONS
from oasis.loop.comment_book import CommentBook
from oasis.loop.follow_lists import FollowLists
from oasis.loop.reader_book import ReaderBook
from oasis.loop.simulation import Simulation
from oasis.loop.step_state import POST_COLUMNS, StepState
from oasis.platform import StepChanges
from oasis.platform.reader import Reader
from tests.factories import experiment


def _assert_same(kept: StepState, loaded: StepState, since: int) -> None:
    np.testing.assert_array_equal(kept.user_ids, loaded.user_ids)
    np.testing.assert_array_equal(kept.followers, loaded.followers)
    np.testing.assert_array_equal(kept.follows.pairs(), loaded.follows.pairs())
    everyone = np.concatenate([kept.user_ids, [10**6]])  # and an unknown user
    for got, want in zip(kept.follows.rows(everyone), loaded.follows.rows(everyone), strict=True):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(kept.candidates(since), loaded.candidates(since), strict=True):
        for column in ("post_id", "author_id", "created_at", "likes", "dislikes", "shares"):
            np.testing.assert_array_equal(getattr(got, column, got), getattr(want, column, want))
    for column in POST_COLUMNS:
        np.testing.assert_array_equal(kept.posts[column], loaded.posts[column])
    for name, keys in loaded.book.keys.items():
        np.testing.assert_array_equal(kept.book.keys[name], keys, err_msg=name)
    for part in ("keys", "scores", "posts", "top_ids", "top_scores"):
        got, want = getattr(kept.comments, part), getattr(loaded.comments, part)
        np.testing.assert_array_equal(got, want, err_msg=part)


# Each commented post's shown comments as the database ranks them (``Reader._best_comments``).
_RANKED = text(
    "SELECT post_id, comment_id, score, rank FROM (SELECT post_id, comment_id,"
    " num_likes - num_dislikes AS score, row_number() OVER (PARTITION BY post_id"
    " ORDER BY num_likes - num_dislikes DESC, comment_id) AS rank FROM comment) AS ranked"
    " WHERE rank <= :top"
)


def _assert_comments_shown_as_the_database_ranks_them(kept: StepState, reader: Reader) -> int:
    """The book's shown comments of every commented post (and one without) equal the SQL
    ranking; how many posts have more comments than are shown."""
    rows = reader.conn.execute(_RANKED, {"top": SHOWN_COMMENTS}).all()
    posts = np.array(sorted({r[0] for r in rows}), np.int64)
    ids = np.full((posts.size, SHOWN_COMMENTS), -1, np.int64)
    scores = np.zeros_like(ids)
    for post, comment, score, rank in rows:
        at = np.searchsorted(posts, post)
        ids[at, rank - 1], scores[at, rank - 1] = comment, score
    asked = np.concatenate([posts, [10**6]])  # and a post without comments
    got_ids, got_scores = kept.comments.shown(asked)
    np.testing.assert_array_equal(got_ids[:-1], ids)
    np.testing.assert_array_equal(got_scores[:-1], scores)
    assert (got_ids[-1] == -1).all() and (got_scores[-1] == 0).all()
    counts = np.bincount(kept.comments.keys >> 32)
    return int((counts > SHOWN_COMMENTS).sum())


def _assert_book_answers_as_the_platform(kept: StepState, reader: Reader) -> int:
    """The book's flags equal the platform's own reads, for every reader against every post
    of the window and its top comment; how many are set."""
    posts = kept.posts["post_id"]
    comments = reader.top_comments(posts.tolist())
    top = np.array([comments.get(int(p), (-1, 0))[0] for p in posts], np.int64)
    readers = np.repeat(kept.user_ids, posts.size)
    originals, tops = np.tile(posts, kept.user_ids.size), np.tile(top, kept.user_ids.size)
    flags = ("liked", "disliked", "reposted", "comment_voted")
    got = kept.book.flags(readers, originals, tops, flags)
    want = reader.entry_state(readers, originals, np.zeros_like(readers), tops, flags)
    for flag in flags:
        np.testing.assert_array_equal(got[flag], want[flag], err_msg=flag)
    return sum(int(got[flag].sum()) for flag in flags)


def test_the_kept_state_equals_the_committed_state_after_every_step(tmp_path, db_url):
    # Heavy following (and unfollows by the heuristic's own rules never happen), sign-ups,
    # votes of every kind and a small window, so follows, counters, new users, the readers'
    # book and the window all move.
    events = [
        {"step": 1, "kind": "sign_up", "user_id": 50, "user_name": "late", "name": "Late"},
        {"step": 2, "kind": "post", "user_id": 3, "content": "news at two"},
    ]
    heuristic = {
        "follow": 0.5, "follow_suggestion": 0.3, "like": 0.3, "repost": 0.1, "dislike": 1.0,
        "dislike_slope": 20.0, "comment": 0.5, "comment_vote": 0.9,
    }  # fmt: skip
    votes = ["like_comment", "dislike_comment"]
    config = experiment(
        tmp_path, "kept", steps=5, database=db_url, candidate_window_hours=2, events=events,
        policy={"heuristic": heuristic},
        actions=[a.value for a in DEFAULT_ACTIONS["twitter"]] + votes,
    )  # fmt: skip
    with Simulation.open(config) as simulation:
        grown = []
        for step in range(config.steps):
            simulation.step()
            kept = simulation.step_state
            assert kept is not None
            since = step + 1 - 2  # two hourly steps
            with simulation.platform.reader() as reader:
                loaded = StepState.load(reader, since)
                _assert_same(kept, loaded, since)
                answered = _assert_book_answers_as_the_platform(kept, reader)
                crowded = _assert_comments_shown_as_the_database_ranks_them(kept, reader)
            pairs = loaded.follows.pairs()
            assert kept.follows.contains(pairs[:, 0], pairs[:, 1]).all()
            strangers = np.stack([pairs[:, 0], (pairs[:, 1] + 7) % 51], axis=1)
            standing = {tuple(p) for p in pairs.tolist()}
            want = [tuple(p) in standing for p in strangers.tolist()]
            assert kept.follows.contains(strangers[:, 0], strangers[:, 1]).tolist() == want
            grown.append(len(kept.follows))
        assert grown[-1] > grown[0]  # the steps added follows
        assert kept.user_ids.size == 51  # the sign-up
        assert all(keys.size for keys in kept.book.keys.values())  # every relation moved
        assert answered > 0  # and the last step's feeds had entries done before
        assert crowded > 0  # some posts show only their best comments
        assert (kept.comments.scores < 0).any() and (kept.comments.scores > 0).any()  # votes


@pytest.mark.parametrize("rebuild_share", [0.0, 1.0])
def test_follow_lists_keep_changes_beside_the_csr_and_fold_them_in(rebuild_share):
    users = np.array([1, 2, 5, 7], np.int64)
    lists = FollowLists(users, np.array([[1, 2], [1, 5], [5, 1], [7, 1]]), rebuild_share)
    lists.add_users(np.array([6]))
    lists.change(np.array([[6, 1], [1, 7], [2, 5]]), np.array([[1, 5]]))
    lists.change(np.array([[1, 5]]), np.array([[6, 1], [7, 1]]))
    want = [[1, 2], [1, 5], [1, 7], [2, 5], [5, 1]]
    assert lists.pairs().tolist() == want
    indptr, followees = lists.rows(np.array([1, 6, 3, 1, 5]))
    assert indptr.tolist() == [0, 3, 3, 3, 6, 7]
    assert followees.tolist() == [2, 5, 7, 2, 5, 7, 1]
    assert len(lists) == len(want)
    asked = np.array([[1, 2], [1, 5], [1, 7], [2, 5], [5, 1], [6, 1], [7, 1], [1, 6], [9, 1]])
    held = lists.contains(asked[:, 0], asked[:, 1]).tolist()
    assert held == [True, True, True, True, True, False, False, False, False]


def test_follow_lists_loaded_empty_answer_from_their_changes():
    # A Reddit population starts with no follows: the first follows made in a run are all
    # the lists hold (a lookup into the empty CSR failed with an IndexError)
    lists = FollowLists(np.array([1, 2, 3], np.int64), np.empty((0, 2), np.int64), 1.0)
    assert lists.contains(np.array([1, 2]), np.array([2, 1])).tolist() == [False, False]
    lists.change(np.array([[1, 2]]), np.empty((0, 2), np.int64))
    assert lists.contains(np.array([1, 2]), np.array([2, 1])).tolist() == [True, False]


def _changes(**given: object) -> StepChanges:
    """A step that changed only what ``given`` says."""
    empty = np.zeros(0, np.int64)
    nothing = {
        "new_users": empty, "follows_added": empty.reshape(0, 2),
        "follows_removed": empty.reshape(0, 2), "follower_users": empty,
        "follower_deltas": empty,
        "posts": dict.fromkeys(("post_id", "user_id", "root_id", "original_id"), empty),
        "post_ids": empty, "post_deltas": empty.reshape(0, 3),
        "comments": dict.fromkeys(("comment_id", "post_id"), empty), "comment_ids": empty,
        "comment_posts": empty, "comment_deltas": empty.reshape(0, 2),
        "done_added": {}, "done_removed": {},
    }  # fmt: skip
    return StepChanges(**(nothing | given))  # type: ignore[arg-type]


def test_the_readers_book_adds_and_removes_pairs_and_answers_per_entry():
    book = ReaderBook.empty()

    def changes(added: dict[str, list[list[int]]], removed: dict[str, list[list[int]]]):
        def pairs(given: dict[str, list[list[int]]]) -> dict[str, np.ndarray]:
            return {n: np.array(given.get(n, []), np.int64).reshape(-1, 2) for n in book.keys}

        return _changes(done_added=pairs(added), done_removed=pairs(removed))

    book.apply(changes({"like": [[1, 10], [2, 10], [2, 11]], "comment_dislike": [[3, 7]]}, {}))
    book.apply(changes({"like": [[1, 12]], "repost": [[2, 11]]}, {"like": [[2, 10]]}))
    assert book.keys["like"].tolist() == [(1 << 32) | 10, (1 << 32) | 12, (2 << 32) | 11]
    readers = np.array([1, 2, 2, 3, 3])
    originals = np.array([10, 10, 11, 10, 11])
    comments = np.array([-1, 7, -1, 7, 8])
    flags = book.flags(readers, originals, comments, {"liked", "reposted", "comment_voted"})
    assert flags["liked"].tolist() == [True, False, True, False, False]
    assert flags["reposted"].tolist() == [False, False, True, False, False]
    assert flags["comment_voted"].tolist() == [False, False, False, True, False]
    assert not flags["disliked"].any()  # not asked


def _step(book: CommentBook, new=(), votes=()) -> None:
    """Apply a step to ``book``: ``new`` (comment, post) rows, ``votes`` (comment, post,
    likes, dislikes) rows."""
    new, votes = np.array(new, np.int64).reshape(-1, 2), np.array(votes, np.int64).reshape(-1, 4)
    votes = votes[np.argsort(votes[:, 0])]
    book.apply(_changes(
        comments={"comment_id": new[:, 0], "post_id": new[:, 1]},
        comment_ids=votes[:, 0], comment_posts=votes[:, 1], comment_deltas=votes[:, 2:],
    ))  # fmt: skip


def _assert_same_book(got: CommentBook, want: CommentBook) -> None:
    for part in ("keys", "scores", "posts", "top_ids", "top_scores"):
        np.testing.assert_array_equal(getattr(got, part), getattr(want, part), err_msg=part)


def test_the_comment_book_ranks_each_post_by_score_then_age_as_votes_come():
    book = CommentBook.empty()

    def step(new=(), votes=()):
        _step(book, new, votes)

    # Comments 1..5 on post 10 and 6 on post 20 (out of key order), a like on 3 in the same step.
    step(new=[[1, 10], [2, 20], [3, 10], [4, 10], [5, 10]], votes=[[3, 10, 1, 0]])
    ids, scores = book.shown(np.array([10, 20, 30, 10]))
    assert ids.tolist() == [[3, 1, 4], [2, -1, -1], [-1, -1, -1], [3, 1, 4]]
    assert scores.tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0]]
    # 5 rises to the top, 3 is disliked out of the shown three; 1 and 4 tie at 0, 1 first.
    step(new=[[6, 20]], votes=[[5, 10, 3, 0], [3, 10, 0, 2], [6, 20, 0, 1]])
    ids, scores = book.shown(np.array([10, 20]))
    assert ids.tolist() == [[5, 1, 4], [2, 6, -1]]
    assert scores.tolist() == [[3, 0, 0], [0, -1, 0]]
    # A vote on post 20 only: post 10's table stays as it was.
    step(votes=[[6, 20, 2, 0]])
    assert book.shown(np.array([20, 10]))[0].tolist() == [[6, 2, -1], [5, 1, 4]]
    # 4 falls to -1 beside 3, which nobody voted on this step: 3 (the older) comes back.
    step(votes=[[4, 10, 0, 1]])
    ids, scores = book.shown(np.array([10]))
    assert ids.tolist() == [[5, 1, 3]] and scores.tolist() == [[3, 0, -1]]
    # The book built at once from the same comments is the same book.
    _assert_same_book(book, CommentBook(book.keys, book.scores))


@given(
    st.lists(st.lists(st.tuples(st.integers(0, 9), st.integers(-2, 2)), max_size=16), max_size=8)
)
def test_the_comment_book_moved_step_by_step_is_the_book_ranked_at_once(steps):
    # Each step: (target, vote) rows. A vote of 0 (or on a comment not made yet) comments on post
    # ``target % 3``; else it moves comment ``target``'s score by ``vote``: three posts and
    # small scores, so ties and falls out of the shown three abound.
    book, made = CommentBook.empty(), []
    for rows in steps:
        new, votes = [], {}
        for target, vote in rows:
            if vote == 0 or target >= len(made):
                made.append(target % 3)
                new.append([len(made) - 1, target % 3])
            else:
                likes, dislikes = votes.get(target, (0, 0))
                votes[target] = (likes + max(vote, 0), dislikes + max(-vote, 0))
        _step(book, new, [[c, made[c], *v] for c, v in votes.items()])
        _assert_same_book(book, CommentBook(book.keys, book.scores))
