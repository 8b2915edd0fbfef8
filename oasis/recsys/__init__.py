"""Recommenders: who sees which posts this step. Pure numpy over columns; no SQL here.

Inputs (columns the platform reads in bulk):

- :class:`PostTable`: candidate posts, aligned int64/float64 columns ``post_id, author_id,
  created_at`` (simulated seconds), ``likes, dislikes, shares``.
- :class:`ActiveUsers`: this step's active ``user_id``; ``followee_indptr/indices`` and
  ``muted_indptr/indices`` as CSR (row ``i`` belongs to ``user_id[i]``, indices are user ids);
  ``author_ids/author_followers``: follower counts of the candidate posts' authors.

Output: :class:`Feeds`, CSR ``(user_id, indptr, post_id)``: row ``i`` is ``user_id[i]``'s
ranked post ids (at most ``k``). ``feeds.as_dict()`` gives ``{user_id: np.ndarray}`` for the
observation builder; ``feeds.rows()`` gives ``(user_id, post_id, rank)`` columns per entry.

Per run::

    embedder = make_embedder(cfg.recsys.embedder)
    rec = make_recommender(cfg.recsys, embedder)       # rec.state holds the run's stores
    rec.state.add_profiles(user_ids, profile_texts)    # on sign-up (re-encoded only if changed)
    rec.state.add_posts(post_ids, texts)               # when posts are created (encoded once)

Per step::

    feeds = rec.recommend(posts, users, now, rng)      # pure: reads the stores, changes nothing
    rec.state.record_shown(feeds)                      # later feeds skip what was shown
    rec.state.observe_engagement(user_ids, post_ids)   # likes, reposts, own new posts, in order
    rec.state.place_candidates(next_ids)               # IVF lists of the next candidates

``rec.state.save(path)`` / ``RecsysState.load(path, embedder)`` keep the stores in one ``.npz``
so a run can resume. ``rec.state.shown.retain_posts(candidate_ids)`` forgets shown pairs of
posts that left the candidate window (keeps the store bounded on long runs). Ids must be
non-negative and below 2**31.

Kinds (``RecsysSettings.kind``): ``random`` (seeded uniform draw), ``reddit`` (hot score, one
global ranking per step), ``interest`` (cosine to the user's interest x recency, faiss: exact up
to ``flat_max_posts``, IVF past it), ``twitter`` (followees' posts by popularity x recency, plus
out-of-network interest retrieval x recency x ``max(1, log_1000(followers + 1))``). Every kind
skips own posts, muted authors and (``exclude_shown``) posts already shown, and passes
:func:`check_recommender`. Settings compose into the run config as ``cfg.recsys``.

Who to follow (``oasis/recsys/who_to_follow.py``, settings ``cfg.recsys.who_to_follow``): each
active user's short list of accounts to follow, from friends of friends (a bounded sample),
the most-followed users and interest similarity; never the user, its followees or its mutes::

    sampled = sample_followees(users, settings.fanout, rng)       # first hop
    graph = FollowGraph(hops, *reader.followees(hops), all_ids, followers)  # one bulk read
    found = who_to_follow(users, sampled, graph, rec.state.interests, settings, rng)
"""

from oasis.recsys.contract import ContractViolation, check_recommender
from oasis.recsys.embedding import Embedder, HashingEmbedder, l2_normalise
from oasis.recsys.factory import make_embedder, make_recommender
from oasis.recsys.openai_embedder import OpenAIEmbedder
from oasis.recsys.recommender import Recommender
from oasis.recsys.sentence_embedder import SentenceTransformerEmbedder
from oasis.recsys.settings import EmbedderSettings, RecsysSettings, WhoToFollowSettings
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import ActiveUsers, Feeds, PostTable, RecsysError
from oasis.recsys.who_to_follow import FollowGraph, Suggestions, sample_followees, who_to_follow

__all__ = [
    "ActiveUsers",
    "ContractViolation",
    "Embedder",
    "EmbedderSettings",
    "Feeds",
    "FollowGraph",
    "HashingEmbedder",
    "OpenAIEmbedder",
    "PostTable",
    "Recommender",
    "RecsysError",
    "RecsysSettings",
    "RecsysState",
    "SentenceTransformerEmbedder",
    "Suggestions",
    "WhoToFollowSettings",
    "check_recommender",
    "l2_normalise",
    "make_embedder",
    "make_recommender",
    "sample_followees",
    "who_to_follow",
]
