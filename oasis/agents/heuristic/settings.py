"""The heuristic policy's part of an experiment: its rates, each with its source."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from oasis.core.renamed import refuse_renamed
from oasis.core.settings import Section


class HeuristicSettings(Section):
    """The heuristic policy's rates, per feed entry, scaled by interest and popularity.

    For an entry with interest similarity ``sim`` (cosine of the reader's interest vector and
    the post) and popularity ``pop`` (likes plus shares of the original):
    ``affinity = clip(affinity_base + sim, 0, affinity_max)`` and
    ``boost = 1 + popularity_herding`` where ``pop >= 1`` (else 1); like, repost and comment
    happen with their rate x affinity x boost x attention; dislike with its rate x
    ``clip(-dislike_slope * sim, 0, 1)`` x attention, where attention is the share of SEISMIC's
    kernel ([Zhao15], ``attention_plateau_s`` and ``attention_theta``) over the post's ages in
    the step, divided by the reader's chance to view its feed in the step: a reader's expected
    attention to a post over the steps adds up to 1, and the kernel decides when it acts.
    A shown comment is voted on with ``comment_vote`` x its influence, up with probability
    ``(1 + tanh(vote_lean + agreement_weight * agreement)) / 2`` before influence: the
    comment's shown score (likes minus dislikes) raises the chance of an up-vote by
    ``positive_herding`` when positive, and when negative the chance of a down-vote by
    ``negative_herding`` and of a correcting up-vote by ``correction`` ([Muchnik13]).
    Nothing is done twice: what the reader already liked, disliked, reposted, followed or voted
    on (the entry's reader state) is skipped, and so are the reader's own posts.

    The like, dislike, repost and comment rates are chances per exposure: that a reader acts
    on a feed entry (a ranked post shown to an active agent; ``recsys.k`` entries at most per
    feed view) over all its views of it, at affinity 1 (similarity 0.5 with the default
    ``affinity_base``) and no engagement. Attention spreads that chance over the views so that
    the expected acts come when SEISMIC's kernel says real reshares come, whatever the reader's
    view rate; a reader who does not view while a post is fresh loses what a chance above 1
    cannot hold (:mod:`oasis.agents.heuristic.attention`).
    ``post`` is per feed view and ``follow_suggestion`` per suggestion seen. Activation gives
    each agent's feed views per simulated hour (``oasis/core/clock.py``) and a chance p per
    view is 1 - (1 - p) ** views in a step of several views, so the rates mean the same at any
    ``clock.minutes_per_step``. The published per-view figures below are per page view of an
    item (Muchnik's comment views) or per user and month; a page shows an item once, so a
    view there is read as one reader's exposure to an entry here; each description says how
    its figure maps. Every
    probability and weight of the heuristic policy is a named field here; its description says
    what it does and where its default comes from. Sources cited:

    - [OASIS] Yang et al., "OASIS: Open Agent Social Interaction Simulations with One Million
      Agents", arXiv 2411.11581 (the action space, the information-spread and herd experiments).
    - [Muchnik13] Muchnik, Aral and Taylor, "Social influence bias: a randomized experiment",
      Science 341:647 (2013): on a social-news site, 101,281 comments were viewed more than 10
      million times and rated 308,515 times; the 4,049 up-treated and 1,942 down-treated comments
      were in the site's ratio of up- to down-votes; one planted up-vote made the next rater 32%
      more likely to up-vote, not more or less likely to down-vote, and raised the comments'
      final mean rating by 25%; a planted down-vote drew more down-votes and more, correcting
      up-votes, so that down-treated comments ended with the control's mean rating.
    - [Pew19] Wojcik and Hughes, "Sizing Up Twitter Users", Pew Research Center, April 2019: the
      median U.S. adult in the top 10% of tweeters writes 138 tweets and likes 70 posts a month,
      the median of the other 90% writes 2 and likes 1 (tweets count retweets and quotes).
    - [Pew21] McClain et al., "The Behaviors and Attitudes of U.S. Adults on Twitter", Pew
      Research Center, November 2021: replies are 51% and retweets 26% of the tweets of the less
      active 75% of tweeters (30% and 46% of the most active quarter's).
    - [Kwak10] Kwak, Lee, Park and Moon, "What is Twitter, a social network or a news media?",
      WWW 2010: half of all retweets happen within an hour of the tweet, 75% within a day.
    - [Zhao15] Zhao, Erdogdu, He, Rajaraman and Leskovec, "SEISMIC: A Self-Exciting Point
      Process Model for Predicting Tweet Popularity", KDD 2015: the time from a tweet to its
      retweets follows a memory kernel, flat for s0 = 5 minutes and then a power law of exponent
      -(1 + theta), theta = 0.242, fitted on a month of Twitter (as Crane and Sornette, PNAS
      2008, found for the response to YouTube videos).
    - [Goel16] Goel, Anderson, Hofman and Watts, "The Structural Virality of Online Diffusion",
      Management Science 62:180 (2016): of 622 million Twitter posts 0.025% reached 100
      adopters; their model, a contagion of low infection rate on a heavy-tailed graph,
      gives cascades of that structural virality.
    - [Vosoughi18] Vosoughi, Roy and Aral, "The spread of true and false news online",
      Science 359:1146 (2018): retweet cascades of 126,000 stories reached depths of up to 10
      (true news) and 19 (false news).
    - [seed] the OASIS seed data (``oasis/datasets/data``), figures computed in the description
      (``tests/agents/test_heuristic_sources.py`` recomputes them).

    Where no study gives a figure the description says so, what the value was chosen for and how
    to set it for a study.
    """

    post: float = Field(
        default=0.09,
        ge=0,
        le=1,
        description="chance that an agent writes a post of its own per feed view. [Pew19] "
        "tweets are twice the likes (138 to 70 and 2 to 1 a month, both medians) and [Pew21] 23% "
        "of the less active majority's tweets are neither replies nor retweets (own tweets and "
        "quotes): 0.46 own posts per like. An agent reading a full default feed (10 entries) "
        "at the ``like`` rate likes 0.2 of them, so it posts 0.46 x 0.2 = 0.09 times a view",
    )
    like: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="chance to like (up-vote) a feed entry. [Muchnik13] 308,515 votes in over 10 "
        "million views of comments, 4,049 up to 1,942 down: 3.1% of views bring a vote, 2.1% an "
        "up-vote (at most: the views were more than 10 million). A view of a comment on a "
        "social-news page stands for a view of a feed entry; no per-view like figure for Twitter "
        "is published",
    )
    dislike: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="chance to dislike (down-vote) an entry far from one's interests (the full "
        "rate at similarity -1/dislike_slope or below). [Muchnik13] 3.1% of views bring a vote, "
        "a third of votes are down (1,942 of 5,991): 1.0% of views. That average counts views "
        "of agreeable comments too, so a disagreeing reader's rate is if anything higher",
    )
    repost: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="chance to repost a feed entry. [Pew19] tweets are twice the likes and [Pew21] "
        "26% of the less active majority's tweets are retweets: 0.52 reposts per like, x the "
        "``like`` rate = 0.01 (0.92 per like, 0.018, for the most active quarter). Topic "
        "experiments set it from the topic (examples/information_spread.yaml: [seed] every user "
        "of a topic file reposted the source, [Kwak10] half of them within the first hour)",
    )
    comment: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="chance to comment on a feed entry. [Pew19] tweets are twice the likes and "
        "[Pew21] 51% of the less active majority's tweets are replies: 1.02 comments per like, "
        "x the ``like`` rate = 0.02 (0.6 per like, 0.012, for the most active quarter). A Twitter "
        "figure: no per-view comment rate is published for Reddit",
    )
    follow: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="chance to follow the original's author after liking it. No source: no "
        "study gives the chance to follow an author after liking a post. [seed] bounds it: the "
        "users of user_all_id_time.csv follow at most 0.64 accounts a day (median of following "
        "count / account age at the newest account's creation), and a default run's agent "
        "likes about one entry a day (0.2 per feed view, 4.8 views a day; fresh posts): a follow "
        "chance of 0.67 would match it if every follow came from a like. 0.1 leaves most "
        "follows to other routes (search, suggestions, offline ties). Set it to the follows "
        "per like of the platform studied",
    )
    follow_suggestion: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="chance to follow each account of the who-to-follow list shown (the "
        "``recsys.who_to_follow`` setting). No published per-impression figure; an assumption, "
        "chosen so that the list's three suggestions give about as many follows per feed "
        "view (3 x 0.05 = 0.15) as liked posts' authors do (10 entries x like 0.15 x follow "
        "0.1 = 0.15)",
    )
    comment_vote: float = Field(
        default=0.03,
        ge=0,
        le=1,
        description="chance to vote on each comment shown under an entry. [Muchnik13] 308,515 "
        "votes in over 10 million views of comments: 3.1% of views (at most); each shown comment "
        "is one view",
    )
    vote_lean: float = Field(
        default=0.37,
        description="the lean of a comment vote towards up, before score and agreement: up with "
        "probability (1 + tanh(0.37)) / 2 = 0.68 on its own. [Muchnik13] up- and down-votes came "
        "4,049 to 1,942 on the site (68% up); 0 votes both ways alike",
    )
    agreement_weight: float = Field(
        default=1.0,
        ge=0,
        description="how much stance agreement a = 1 - |reader stance - comment stance| (in "
        "[-1, 1]; 0 without stances) sways a comment vote's side. No source: no study gives vote "
        "sides by stance distance. With 1 (and no lean) a comment of one's own stance is "
        "up-voted 88% of the time and one of the opposite extreme 12%; chosen so that stance "
        "decides most votes. Set it from vote sides by stance on the platform studied",
    )
    affinity_base: float = Field(
        default=0.5,
        ge=0,
        description="affinity of an entry at zero interest similarity; with ``affinity_max`` "
        "it bounds how much interest matters (x0 to x3 around the base rate). No source: no "
        "study gives engagement by embedding similarity. Chosen so that the rates are the "
        "rates at similarity 0.5 (affinity 1), which interest-ranked feeds mostly show. Set it "
        "from engagement by recommender score, if logged",
    )
    affinity_max: float = Field(
        default=1.5,
        gt=0,
        description="the most affinity can be (the rates x1.5 at similarity 1 or above). No "
        "source; chosen so that the closest entries are acted on half again as often as those "
        "at similarity 0.5",
    )
    popularity_herding: float = Field(
        default=0.32,
        ge=0,
        description="rise in the chance to like, share or comment on a post that has any "
        "engagement (likes plus shares of the original at least 1) over one with none. "
        "[Muchnik13]: after one planted up-vote the next rater was 32% more likely to up-vote. "
        "The study planted a single vote, so any engagement counts as one, as for comments "
        "(positive_herding): no study gives a dose response. The logarithm of the engagement "
        "read before (popularity_weight: 1,000 likes and shares made a post 4.2 times as "
        "shareable) had no source and made growing cascades ever more shareable: on "
        "examples/cascades_at_scale.yaml (seeds 11-14) it gave cascades of depth up to 41 "
        "(median 12) where [Vosoughi18] find at most 19. 0: no herd effect on posts",
    )
    dislike_slope: float = Field(
        default=2.0,
        ge=0,
        description="dislike chance rises with -similarity at this slope (the full rate at "
        "similarity -0.5). No source: no study gives down-votes by embedding similarity. Chosen "
        "so that only entries unlike the reader's interests are disliked",
    )
    share_spread: float = Field(
        default=0.0,
        ge=0,
        description="how much posts differ in how shareable they are: each original draws a "
        "multiplier of its repost chance, exp(share_spread x z - share_spread ** 2 / 2) with z "
        "standard normal (a log-normal of mean 1, so the mean rate stays ``repost``), the same "
        "for every reader. [Zhao15] estimate each tweet's own infectiousness, and it differs "
        "between tweets; [Goel16] simulate contagions over a range of infection rates. No "
        "study gives the spread on this scale: 0 (the default) makes every post alike. "
        "examples/cascades_at_scale.yaml sets 1, an assumption, with followees-only timelines: "
        "over seeds 11-14, 6 of 47,160 posts reach 100 users (0.013%; [Goel16] 0.025%) and a "
        "post gets 0.10-0.24 shares, where 0 gives one cascade of 50 users or more (74, depth "
        "3) and 0.07 shares a post (seed 11). With OASIS's out-of-network recommendations a "
        "spread of 1 lets a few posts reach most users (seed 11: one cascade of 11,284 of the "
        "100,000), so the default stays 0",
    )
    seed_share: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="chance, over all of one's views of it, to share a post the seed data says "
        "the "
        "reader shared (``oasis/loop/seed_shares.py``), in place of repost x affinity x boost. "
        "[seed] a Twitter15/16 topic file lists the users who took part in the real cascade of "
        "its source (111 of False_Business_0's 130): each of them shared it, so whether they "
        "share is the data's and the model gives when and through whom (activation, the feed, "
        "attention: the kernel's share in the step over the chance to view). 1: the data says "
        "they all did; a reader who views often has shared by age a with chance about the "
        "kernel's mass up to a, one who views rarely a little less",
    )
    attention_plateau_s: float = Field(
        default=300.0,
        gt=0,
        description="simulated seconds SEISMIC's kernel stays flat; after it the kernel falls "
        "as (age / attention_plateau_s) ** -(1 + attention_theta) "
        "(``oasis/agents/heuristic/attention.py``). [Zhao15] s0 = 5 minutes: SEISMIC's memory "
        "kernel of the time from a tweet to its retweets, fitted on a month of Twitter",
    )
    attention_theta: float = Field(
        default=0.242,
        gt=0,
        description="the power law's exponent past the plateau is -(1 + attention_theta). "
        "[Zhao15] theta = 0.242 (with c = 6.94e-4 per second the kernel integrates to 1.07). "
        "With it half of a post's attention comes within 36 minutes, 56% within an hour and 80% "
        "within a day, as [Kwak10] found for retweets (half within an hour, 75% within a day)",
    )
    positive_herding: float = Field(
        default=0.32,
        ge=0,
        description="rise in the chance of an up-vote on a comment shown with a positive score "
        "(the chance of a down-vote unchanged). [Muchnik13]: after one planted up-vote the next "
        "rater was 32% more likely to up-vote and no more or less likely to down-vote. The study "
        "planted a single vote, so any positive score counts as +1 (no source for a dose "
        "response). 0: no positive herding",
    )
    negative_herding: float = Field(
        default=0.32,
        ge=0,
        description="rise in the chance of a down-vote on a comment shown with a negative score. "
        "[Muchnik13] found that a planted down-vote drew more down-votes, outweighed by the "
        "correction; the sources at hand give no per-rater figure, so it is taken equal to the "
        "positive herding's 32%, an assumption. Set it from a platform's own experiment. 0: none",
    )
    correction: float = Field(
        default=0.47,
        ge=0,
        description="rise in the chance of a correcting up-vote on a comment shown with a "
        "negative score. [Muchnik13]: the correcting up-votes outweighed the extra down-votes "
        "(the sources at hand give no per-rater figure). 0.47 is the rise at which a negative "
        "score raises a rater's expected net vote as much as a positive one does: "
        "0.32 x (1 + 1,942/4,049), the down- to up-vote ratio of the site. With it, at the "
        "study's 99 views per comment (10 million views of 101,281 comments), up-treated "
        "comments get 15% more net votes from the agents than control ones (the study: 25% "
        "higher final ratings) and down-treated ones 0.09 more (not below control; counting the "
        "planted vote they end 0.9 below, where the study found them level: a real correction "
        "may be larger). tests/agents/test_heuristic_sources.py recomputes these. 0: none",
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        comments = "positive_herding, negative_herding and correction (Muchnik et al. 2013)"
        posts = "popularity_herding (a rise for any engagement, Muchnik et al. 2013)"
        return refuse_renamed(data, {"conformity": comments, "popularity_weight": posts})
