"""Response and request bodies of the REST API (pydantic lives here, at the edge)."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field

T = TypeVar("T")
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=0, le=MAX_ID)]


class Page(BaseModel, Generic[T]):
    """One page of a list; ask again with ``offset=next_offset`` while it is not null."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


class CursorPage(BaseModel, Generic[T]):
    """One page of a keyset-paginated list; ask again with ``after=next_cursor``."""

    items: list[T]
    limit: int
    next_cursor: int | None


class ErrorOut(BaseModel):
    """Every error answer: a short machine name, a readable message, and details if any."""

    error: str
    message: str
    details: list[dict[str, Any]] | None = None


class RunOut(BaseModel):
    """The run: its seed and config, the last whole step committed and its status."""

    seed: int
    config: dict[str, Any]
    current_step: int = Field(description="last step committed as a whole; -1 before any")
    status: str
    steps_recorded: int
    lineage: dict[str, Any] | None = Field(
        default=None, description="a fork's parent and the step it was forked after"
    )
    llm_usage: dict[str, int] = Field(
        default_factory=dict,
        description="LLM requests, tokens (server-reported usage), cache hits, failures in total",
    )


class StepMetricsOut(BaseModel):
    """Figures of one committed step."""

    step: int
    sim_time: float
    metrics: dict[str, Any]


class UserOut(BaseModel):
    """A user (its id is the agent id)."""

    user_id: int
    user_name: str
    name: str
    bio: str
    persona: str
    created_step: int
    num_followers: int
    num_followings: int


class PostOut(BaseModel):
    """A post, repost or quote; reposts and quotes name their parent and root."""

    post_id: int
    user_id: int
    original_post_id: int | None
    parent_post_id: int | None
    content: str
    quote_content: str | None
    quoted_content: str | None = Field(
        default=None, description="a quote's quoted post's text (original_post_id's content)"
    )
    created_step: int
    created_at: float
    num_likes: int
    num_dislikes: int
    num_shares: int
    num_reports: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind(self) -> Literal["post", "repost", "quote"]:
        """What sort of post this is."""
        if self.parent_post_id is None:
            return "post"
        return "repost" if self.quote_content is None else "quote"


class RankedPostOut(PostOut):
    """A trending post with its engagement score in the window asked for."""

    score: int


class FeedPostOut(PostOut):
    """A post as placed in a user's feed."""

    rank: int


class CommentOut(BaseModel):
    """A comment on a root post."""

    comment_id: int
    post_id: int
    user_id: int
    content: str
    created_step: int
    created_at: float
    num_likes: int
    num_dislikes: int


class PostDetailOut(BaseModel):
    """One post with the first page of its comments (on its root), reposts and quotes."""

    post: PostOut
    root_id: int
    comments: Page[CommentOut]
    reposts: Page[PostOut]
    quotes: Page[PostOut]


class FeedOut(Page[FeedPostOut]):
    """The feed the recommender last gave a user (at or before the step asked for)."""

    user_id: int
    step: int


class CascadeNodeOut(BaseModel):
    """One post of a cascade: the root (depth 0), or a repost or quote of it."""

    post_id: int
    user_id: int
    parent_post_id: int | None
    created_step: int
    created_at: float
    is_quote: bool
    depth: int


class CascadePointOut(BaseModel):
    """Cascade figures after a step at which it grew."""

    step: int
    scale: int = Field(description="distinct users in the cascade")
    depth: int = Field(description="longest share chain from the root")
    max_breadth: int = Field(description="most posts at one depth")


class CascadeOut(BaseModel):
    """The cascade rooted at a post: final figures, figures over time, and its tree."""

    root_id: int
    scale: int
    depth: int
    max_breadth: int
    over_time: list[CascadePointOut]
    nodes: Page[CascadeNodeOut]


class TraceOut(BaseModel):
    """One action as applied: its arguments and its outcome."""

    trace_id: int
    step: int
    user_id: int
    action: str
    args: dict[str, Any]
    ok: bool
    reason: str | None
    result: dict[str, Any]
    actor: str | None = Field(
        default=None, description="who took it: event, heuristic, llm, custom or person"
    )


# What the API takes as text: any characters but NUL (U+0000), which PostgreSQL's text cannot
# hold (the platform would store U+FFFD in its place), so it is refused here by name. Other
# control characters (tab, newline, ...) are kept as sent; pages escape what they show.
# Posts, questions and names also need one character that is not white space.
NO_NUL = r"^[^\x00]*$"
VISIBLE_NO_NUL = r"^[^\x00]*[^\x00\s][^\x00]*$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains NUL (U+0000), which text cannot hold")
    return value


def _visible(value: str) -> str:
    if value.isspace():
        raise ValueError("needs a character that is not white space")
    return value


# What makes text visible, after its length: the pattern shown in the schema, then the checks.
_VISIBLE = (
    Field(json_schema_extra={"pattern": VISIBLE_NO_NUL}),
    AfterValidator(_no_nul),
    AfterValidator(_visible),
)
# The longest text the API takes: a post, a question, a bio, a person's action's argument.
MAX_TEXT = 2000
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), *_VISIBLE]
Name = Annotated[str, Field(min_length=1, max_length=255), *_VISIBLE]
Bio = Annotated[
    str, Field(max_length=MAX_TEXT, json_schema_extra={"pattern": NO_NUL}), AfterValidator(_no_nul)
]


class InjectPostIn(BaseModel):
    """A post to publish as ``user_id`` at the next step."""

    model_config = ConfigDict(extra="forbid")
    user_id: Id
    content: Text


class InjectAgentIn(BaseModel):
    """An agent to sign up at the next step."""

    model_config = ConfigDict(extra="forbid")
    user_name: Name
    name: Name
    bio: Bio = ""


class InterviewIn(BaseModel):
    """A question to put to some agents at the next step."""

    model_config = ConfigDict(extra="forbid")
    user_ids: list[Id] = Field(min_length=1, max_length=500)
    question: Text


class AcceptedOut(BaseModel):
    """A command queued for the simulation; it takes effect at the next step."""

    command_id: int


class AnswerOut(BaseModel):
    """One agent's answer to an interview."""

    user_id: int
    answer: str


class InterviewOut(BaseModel):
    """An interview and the answers received so far."""

    request_id: int
    question: str
    user_ids: list[int]
    status: Literal["pending", "answered", "refused"]
    answers: list[AnswerOut]
    error: str | None = Field(default=None, description="why a refused interview got no answers")


class ControlStatusOut(BaseModel):
    """The control state of the attached simulation."""

    paused: bool
    pending_commands: int
    open_interviews: int
