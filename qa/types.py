"""The contract: the values that cross modules, and the seams between them.

Readers produce Articles and Problems; ingest stores chunks whose metadata uses the `Meta` keys
and the `epoch` date encoding; the index answers dense queries with DenseHits; retrieval turns a
question and its Filters into a Retrieval of Passages; an Answerer turns a Retrieval into an
AnswerStream that becomes an Answer with Citations. The fetcher answers with Fetched responses
and their Validators; a refresh reads Feeds into a FeedRead. Implementation modules import these from
here, so that none imports another only for a type. This module imports no implementation module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from qa.errors import BadFilter

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

NOT_FOUND = "Not found in the corpus"
REFUSAL = f"{NOT_FOUND}: none of the retrieved articles answers this question."

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
    STORY = "story"
    """The id of the story an article is a syndicated copy of (see qa.syndication); absent when
    it copies none."""
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
        shaped = re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value) is not None
        raise BadFilter(f"{name} date {value!r} is {'no such day' if shaped else 'not YYYY-MM-DD'}") from None


def _names(sources: Sequence[str] | str) -> tuple[str, ...]:
    """Outlet names, from a list of them or one name alone (not its letters)."""
    return (sources,) if isinstance(sources, str) else tuple(str(source) for source in sources)


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
            sources=_names(options.get("sources") or ()),
        )

    def describe(self) -> str:
        """The filters in words: "published from 2024-01-01 to 2024-06-30, from Valley Times"."""
        parts = []
        if self.since and self.until:
            parts.append(f"published from {self.since} to {self.until}")
        elif self.since or self.until:
            parts.append(f"published {'since' if self.since else 'until'} {self.since or self.until}")
        if self.sources:
            parts.append("from " + " or ".join(self.sources))
        return ", ".join(parts)

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
class Validators:
    """What a server said identifies a response's version, for asking "has it changed?" next time."""

    etag: str = ""
    last_modified: str = ""

    def headers(self) -> dict[str, str]:
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class Fetched:
    """A response: the final URL (after redirects), its status (200, or 304 for "not changed"), the
    body (empty for a 304) and its validators."""

    url: str
    status: int
    body: bytes
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class FeedRead:
    """What one refresh read from the feeds: the articles of new and changed items, the problems
    (a feed or page that failed), how many items were unchanged, and the feeds' new state."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0
    feeds: list[Feed] = field(default_factory=list)


@dataclass
class RefreshReport(IngestReport):
    """What one refresh of the feeds did: an ingest's counts (items unchanged since the last
    refresh among the unchanged), and the requests it sent and the bytes they brought."""

    requests: int = 0
    received: int = 0
    feeds: int = 0
    failed_feeds: int = 0
    """Feeds that could not be read at all (each is a problem of the report too)."""

    def summary(self) -> str:
        return f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, skipped {self.skipped}"


@dataclass(frozen=True)
class ArticleInfo:
    """One article of the index, as the Articles table and `qa list` show it."""

    id: str
    title: str
    source: str
    published: str
    url: str
    path: str
    passages: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def named_by(self, reference: str) -> bool:
        """Whether the reference is the article's id, url or path as listed (never when empty)."""
        return bool(reference) and reference in (self.id, self.url, self.path)

    def matches(self, query: str) -> bool:
        """Whether every word of the query is in the article's title, outlet, date or id (ignoring case)."""
        haystack = f"{self.title} {self.source} {self.published} {self.id}".lower()
        return all(word in haystack for word in query.lower().split())


@dataclass(frozen=True)
class OutletInfo:
    """One outlet of the index: its name as the articles give it, how many articles it has, and
    the first and last day it published on (empty when none of its articles is dated)."""

    name: str
    articles: int
    first_published: str
    last_published: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Feed:
    """A followed RSS or Atom feed and what the last refresh learnt of it: the validators to ask
    whether it changed, when it was refreshed and how that went, and each item seen, by its key
    (guid, else link), as `fingerprint article_id`."""

    url: str
    name: str = ""
    title: str = ""
    """The feed's own title, as of the last refresh."""
    etag: str = ""
    last_modified: str = ""
    refreshed: str = ""
    """When it was last refreshed, ISO 8601 UTC; empty before the first refresh."""
    status: str = ""
    items: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The feed as `qa feeds list --json` shows it (without the per-item bookkeeping)."""
        return {
            "url": self.url,
            "name": self.name,
            "title": self.title,
            "refreshed": self.refreshed,
            "status": self.status,
            "items": len(self.items),
        }


@dataclass(frozen=True)
class Removal:
    """What a removal did: the articles removed, and the references that matched none."""

    removed: list[ArticleInfo]
    unknown: list[str]


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
    also: tuple[ArticleInfo, ...] = ()
    """The other articles that carried the same story (syndicated copies), oldest first."""

    @property
    def node_id(self) -> str:
        return self.node.node_id

    @property
    def article_id(self) -> str:
        return self.node.ref_doc_id or self.node.node_id

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

    def to_dict(self) -> dict[str, Any]:
        """The passage as the search API returns it."""
        return {
            "id": self.node_id,
            "article_id": self.article_id,
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "url": self.url,
            "path": self.path,
            "text": self.text,
            "score": round(self.score, 6),
            "similarity": None if self.similarity is None else round(self.similarity, 6),
            "also": [a.to_dict() for a in self.also],
        }


class RefusalCode(StrEnum):
    """Why a question was not answered."""

    EMPTY_INDEX = "empty_index"
    FILTERED_OUT = "filtered_out"
    NOT_ENGLISH = "not_english"
    FOREIGN_OUTLET = "foreign_outlet"
    NO_EVIDENCE = "no_evidence"
    CONSTRAINT_UNMET = "constraint_unmet"


@dataclass(frozen=True)
class RefusalReason:
    """Why a question was not answered: a code for programs, and a sentence for the reader."""

    code: RefusalCode
    sentence: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "reason": self.sentence}


NO_EVIDENCE = RefusalReason(RefusalCode.NO_EVIDENCE, REFUSAL)


@dataclass
class Retrieval:
    """The passages for one question, best first; the outlets it names that the archive lacks; its
    content terms (of the question and of `focus`), each weighted by the archive's IDF (rare names
    weigh most); and, when the question can't be answered whatever the passages say, why.

    `focus` is the question the answer is chosen for: the user's own words when `question` is a
    follow-up joined to the question before it for searching."""

    question: str
    passages: list[Passage] = field(default_factory=list)
    foreign_outlets: list[str] = field(default_factory=list)
    term_weights: dict[str, float] = field(default_factory=dict)
    refusal: RefusalReason | None = None
    focus: str = ""
    outlets: tuple[str, ...] = ()
    """The archive's outlets."""
    unknown_terms: frozenset[str] = frozenset()
    """Terms of the question that no article of the archive holds."""
    articles: dict[str, str] = field(default_factory=dict)
    """The whole text (title and every chunk) of each retrieved passage's article, by article id."""

    def __post_init__(self) -> None:
        self.focus = self.focus or self.question

    def to_dict(self) -> dict[str, Any]:
        """The passages found, best first, and why the search was refused (or None), as the search
        API and the MCP tool return them."""
        return {
            "passages": [p.to_dict() for p in self.passages],
            "refusal_reason": self.refusal.to_dict() if self.refusal else None,
        }

    @property
    def best_similarity(self) -> float:
        return max((p.similarity for p in self.passages if p.similarity is not None), default=-1.0)


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the article, the passage, and the sentences of it that the
    answer quotes (`quote` is the first)."""

    n: int
    title: str
    source: str
    published: str
    url: str
    path: str
    text: str
    quotes: tuple[str, ...]
    score: float
    also: tuple[ArticleInfo, ...] = ()
    """The other articles that carried the same story (syndicated copies): their outlets name it too."""

    @property
    def quote(self) -> str:
        return self.quotes[0] if self.quotes else ""

    @classmethod
    def from_passage(cls, n: int, passage: Passage, quotes: Sequence[str]) -> Citation:
        return cls(
            n=n,
            title=passage.title,
            source=passage.source,
            published=passage.published,
            url=passage.url,
            path=passage.path,
            text=passage.text,
            quotes=tuple(quotes),
            score=round(passage.score, 6),
            also=passage.also,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "quotes": list(self.quotes), "quote": self.quote, "also": [a.to_dict() for a in self.also]}


@dataclass(frozen=True)
class Answer:
    """An answer whose every claim carries a [n] marker pointing at one of its citations.

    `short` is the answer in a few words (a name, a date, an amount), or empty when there is none;
    `refusal_reason` says why a refused question was not answered. `dropped_markers` counts
    markers a model wrote to sources that did not exist (removed)."""

    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    dropped_markers: int = 0
    short: str = ""
    refusal_reason: RefusalReason | None = None

    @classmethod
    def refusal(cls, reason: RefusalReason = NO_EVIDENCE) -> Answer:
        return cls(reason.sentence, refused=True, refusal_reason=reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "short": self.short,
            "answer": self.text,
            "refused": self.refused,
            "refusal_reason": self.refusal_reason.to_dict() if self.refusal_reason else None,
            "citations": [c.to_dict() for c in self.citations],
        }


def foreign_outlet_refusal(outlets: Sequence[str]) -> RefusalReason:
    """The refusal for a question about outlets the archive has no articles from."""
    names = ", ".join(outlets[:-1]) + f" or {outlets[-1]}" if len(outlets) > 1 else outlets[0]
    return RefusalReason(RefusalCode.FOREIGN_OUTLET, f"{NOT_FOUND}: it has no articles from {names}.")


@dataclass(frozen=True)
class ShortAnswer:
    """The short answer, yielded by an answer stream among its text pieces as soon as the
    answerer knows it (a model writes it before the rest)."""

    text: str


class AnswerStream:
    """An answer as it is written: iterate for its text pieces; `.answer` is the Answer they make up
    (reading it before the end reads the rest of the stream).

    Built from an iterator that yields the text pieces (and perhaps a ShortAnswer), then the Answer."""

    def __init__(self, pieces: Iterator[str | ShortAnswer | Answer], *, short: str = "") -> None:
        self._pieces = pieces
        self._answer: Answer | None = None
        self.retrieval: Retrieval | None = None
        """The retrieval the answer is written from, when an Archive made the stream."""
        self.short = short
        """The short answer once it is known: before the text for an extractive answer, as soon as
        the model has written it for a generated one; empty when there is none."""

    @classmethod
    def refusal(cls, reason: RefusalReason = NO_EVIDENCE) -> AnswerStream:
        """A stream that declines: the reason, then the refused Answer."""
        return cls.of(Answer.refusal(reason))

    @classmethod
    def of(cls, answer: Answer) -> AnswerStream:
        """A finished answer as a stream of one piece."""
        return cls(iter((answer.text, answer)), short=answer.short)

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            if isinstance(piece, Answer):
                self._answer = piece
                self.short = piece.short
            elif isinstance(piece, ShortAnswer):
                self.short = piece.text
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
