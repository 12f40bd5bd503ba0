"""The contract: the values that cross modules, and the seams between them.

Readers produce Articles and Problems; ingest stores chunks whose metadata uses the `Meta` keys
and the `epoch` date encoding; the index answers dense queries with DenseHits; retrieval turns a
question and its Filters into a Retrieval of Passages; an Answerer turns a Retrieval into an
AnswerStream that becomes an Answer with Citations. Implementation modules import these from
here, so that none imports another only for a type. This module imports no implementation module.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypedDict

from llama_index.core.schema import BaseNode

from qa.errors import BadFilter

REFUSAL = "Not found in the corpus: none of the retrieved articles answers this question."

DateLike = date | str | None


class Meta:
    """The metadata keys of a chunk (and of its article in the docstore)."""

    TITLE = "title"
    SOURCE = "source"
    DATE = "date"
    """The publication day as written in the chunk header that is embedded ("December 7, 2025")."""
    PUBLISHED = "published"
    """The publication day, YYYY-MM-DD."""
    PUBLISHED_TS = "published_ts"
    """The publication day as `epoch` seconds, for range filters."""
    URL = "url"
    AUTHOR = "author"
    CATEGORY = "category"
    PATH = "path"
    """Where the article was read from, for display: `corpus/a.txt`, `feed.jsonl:3`."""
    FILE = "file"
    """The absolute path of the file the article was read from."""
    DOCUMENT_ID = "document_id"
    """The article id, set on every chunk by llama-index's Chroma store."""
    ARTICLE_HASH = "article_hash"
    ARTICLE_CHUNKS = "article_chunks"
    EMBEDDED = (TITLE, SOURCE, DATE)
    """The keys written into the chunk header that is embedded and searched."""
    BOOKKEEPING = (ARTICLE_HASH, ARTICLE_CHUNKS)
    """The keys the index stamps on chunks to rebuild its local state from Chroma alone."""


def epoch(day: date) -> int:
    """Seconds since 1970 at the start of a day (UTC): how dates are stored for range filters."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def parse_date(value: DateLike, name: str) -> date | None:
    """A filter date from a date or a YYYY-MM-DD string."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadFilter(f"{name} date {value!r} is not YYYY-MM-DD") from None


class SearchOptions(TypedDict, total=False):
    """The options of a search, shared by every way of asking: passages to retrieve, and filters."""

    k: int | None
    since: DateLike
    until: DateLike
    sources: Sequence[str]


@dataclass(frozen=True)
class Filters:
    """Which articles a question may draw on: published since/until (inclusive) and outlets."""

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise BadFilter(f"since {self.since} is after until {self.until}")

    @classmethod
    def parse(cls, options: SearchOptions) -> Filters:
        """The filters of a search's options, dates read from YYYY-MM-DD strings."""
        return cls(
            since=parse_date(options.get("since"), "since"),
            until=parse_date(options.get("until"), "until"),
            sources=tuple(options.get("sources") or ()),
        )

    @property
    def since_ts(self) -> int | None:
        return epoch(self.since) if self.since else None

    @property
    def until_ts(self) -> int | None:
        return epoch(self.until) if self.until else None


@dataclass(frozen=True)
class Article:
    """One news article, as read from a file or a record in one."""

    id: str
    title: str
    body: str
    path: str
    file: str
    published: date | None = None
    source: str = ""
    url: str = ""
    author: str = ""
    category: str = ""


@dataclass(frozen=True)
class Problem:
    """Why a file or record was skipped, or read with something missing (`skipped` False)."""

    path: str
    reason: str
    skipped: bool = True
    file: str = ""

    def __str__(self) -> str:
        return f"{'skipped' if self.skipped else 'warning'}: {self.path}: {self.reason}"


@dataclass
class IngestReport:
    """What one ingest did, article by article."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(p.skipped for p in self.problems)

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"removed {self.removed}, skipped {self.skipped}"
        )


@dataclass(frozen=True)
class IndexStats:
    """What an index holds, at a glance."""

    articles: int
    chunks: int
    outlets: list[str]
    first_published: str | None
    last_published: str | None


@dataclass(frozen=True)
class DenseHit:
    """One chunk a dense query found: its id, its outlet and its cosine similarity to the query."""

    node_id: str
    source: str
    similarity: float


@dataclass
class Passage:
    """A retrieved chunk, its fused score, and its cosine similarity to the question when dense search found it."""

    node: BaseNode
    score: float
    similarity: float | None = None

    @property
    def node_id(self) -> str:
        return self.node.node_id

    @property
    def text(self) -> str:
        return self.node.get_content()

    @property
    def metadata(self) -> dict[str, Any]:
        return self.node.metadata

    def _field(self, key: str) -> str:
        return str(self.node.metadata.get(key) or "")

    @property
    def title(self) -> str:
        return self._field(Meta.TITLE)

    @property
    def source(self) -> str:
        return self._field(Meta.SOURCE)

    @property
    def published(self) -> str:
        """YYYY-MM-DD, or empty when the article has no date."""
        return self._field(Meta.PUBLISHED)

    @property
    def url(self) -> str:
        return self._field(Meta.URL)

    @property
    def path(self) -> str:
        return self._field(Meta.PATH)


@dataclass
class Retrieval:
    """The passages for one question, best first; the outlets it names that the archive lacks; and
    its content terms, each weighted by the archive's IDF (rare names weigh most)."""

    question: str
    passages: list[Passage] = field(default_factory=list)
    foreign_outlets: list[str] = field(default_factory=list)
    term_weights: dict[str, float] = field(default_factory=dict)

    @property
    def best_similarity(self) -> float:
        return max((p.similarity for p in self.passages if p.similarity is not None), default=-1.0)


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the article, the passage and the sentence that supports it."""

    n: int
    title: str
    source: str
    published: str
    url: str
    path: str
    text: str
    quote: str
    score: float

    @classmethod
    def from_passage(cls, n: int, passage: Passage, quote: str) -> Citation:
        return cls(
            n=n,
            title=passage.title,
            source=passage.source,
            published=passage.published,
            url=passage.url,
            path=passage.path,
            text=passage.text,
            quote=quote,
            score=round(passage.score, 6),
        )


@dataclass(frozen=True)
class Answer:
    """An answer whose every claim carries a [n] marker pointing at one of its citations.

    `dropped_markers` counts markers a model wrote to sources that did not exist (removed)."""

    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    dropped_markers: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.text, "refused": self.refused, "citations": [asdict(c) for c in self.citations]}


def foreign_outlet_refusal(outlets: Sequence[str]) -> str:
    """The refusal for a question about outlets the archive has no articles from."""
    names = ", ".join(outlets[:-1]) + f" or {outlets[-1]}" if len(outlets) > 1 else outlets[0]
    return f"{REFUSAL.split(':')[0]}: it has no articles from {names}."


class AnswerStream:
    """An answer as it is written: iterate for its text pieces; `.answer` is the Answer they make up
    (reading it before the end reads the rest of the stream).

    Built from an iterator that yields the text pieces, then the Answer."""

    def __init__(self, pieces: Iterator[str | Answer]) -> None:
        self._pieces = pieces
        self._answer: Answer | None = None

    @classmethod
    def refusal(cls, text: str = REFUSAL) -> AnswerStream:
        """A stream that declines: the text, then the refused Answer."""
        return cls(iter((text, Answer(text, refused=True))))

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            if isinstance(piece, Answer):
                self._answer = piece
            else:
                yield piece

    @property
    def answer(self) -> Answer:
        if self._answer is None:
            for _ in self:
                pass
        if self._answer is None:
            raise RuntimeError("the answer stream ended without an Answer")
        return self._answer


@dataclass
class Turn:
    """One exchange of a conversation: what was asked, what was searched for, the search options
    used, and the answer."""

    question: str
    standalone: str
    answer: Answer
    options: SearchOptions = field(default_factory=lambda: SearchOptions())


class Answerer(Protocol):
    """Writes cited answers from retrieved passages; the extractive and LLM answerers implement it."""

    def stream(self, retrieval: Retrieval) -> AnswerStream:
        """The answer to the retrieval's question, from its passages, as it is written."""
        ...

    def condense(self, history: Sequence[Turn], question: str) -> str:
        """The question to retrieve with: a follow-up to the turns so far, made self-contained."""
        ...
