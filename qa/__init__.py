"""Ask questions of a news archive and get answers with citations you can check.

from qa import Archive
archive = Archive(".qa")
archive.ingest(["corpus/"])
answer = archive.ask("Who traveled to Moscow for talks with Putin?")
"""

from qa import offline  # noqa: F401  (sets the offline environment before anything else loads)
from qa.archive import Archive, make_answerer
from qa.chat import Conversation
from qa.config import Settings
from qa.corpus import read_articles
from qa.errors import (
    BadFilter,
    BadRequest,
    ChromaUnavailable,
    EntityModelMissing,
    IndexBusy,
    IndexDamaged,
    IndexMismatch,
    IndexNotFound,
    IndexReadOnly,
    PortBusy,
    QAError,
    ServerError,
    UnknownEmbedModel,
    UnknownReranker,
    Unprotected,
    UploadRejected,
)
from qa.types import (
    REFUSAL,
    Answer,
    Answerer,
    AnswerStream,
    Article,
    ArticleInfo,
    Citation,
    Filters,
    IndexStats,
    IngestReport,
    Meta,
    Passage,
    Problem,
    RefusalCode,
    RefusalReason,
    Removal,
    Retrieval,
    SearchOptions,
    ShortAnswer,
    Turn,
)

__all__ = [
    "REFUSAL",
    "Answer",
    "AnswerStream",
    "Answerer",
    "Archive",
    "Article",
    "ArticleInfo",
    "BadFilter",
    "BadRequest",
    "ChromaUnavailable",
    "Citation",
    "Conversation",
    "EntityModelMissing",
    "Filters",
    "IndexBusy",
    "IndexDamaged",
    "IndexMismatch",
    "IndexNotFound",
    "IndexReadOnly",
    "IndexStats",
    "IngestReport",
    "Meta",
    "Passage",
    "PortBusy",
    "Problem",
    "QAError",
    "RefusalCode",
    "RefusalReason",
    "Removal",
    "Retrieval",
    "SearchOptions",
    "ServerError",
    "Settings",
    "ShortAnswer",
    "Turn",
    "UnknownEmbedModel",
    "UnknownReranker",
    "Unprotected",
    "UploadRejected",
    "make_answerer",
    "read_articles",
]
