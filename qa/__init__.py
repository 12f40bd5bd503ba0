"""Ask questions of a news archive and get answers with citations you can check.

from qa import Archive
archive = Archive(".qa")
archive.ingest(["corpus/"])
answer = archive.ask("Who traveled to Moscow for talks with Putin?")
"""

from typing import TYPE_CHECKING

from qa import offline  # noqa: F401  (sets the offline environment before anything else loads)

if TYPE_CHECKING:
    from qa.archive import Archive, make_answerer
    from qa.chat import Conversation
    from qa.config import Settings
    from qa.corpus import read_articles
    from qa.errors import (
        BadFilter,
        BadRequest,
        ChromaUnavailable,
        EntityModelMissing,
        FetchFailed,
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
        Feed,
        Filters,
        IndexStats,
        IngestReport,
        Meta,
        OutletInfo,
        Passage,
        Problem,
        RefreshReport,
        RefusalCode,
        RefusalReason,
        Removal,
        Retrieval,
        SearchOptions,
        ShortAnswer,
        Turn,
    )

_HOMES = {
    "REFUSAL": "qa.types",
    "Answer": "qa.types",
    "AnswerStream": "qa.types",
    "Answerer": "qa.types",
    "Archive": "qa.archive",
    "Article": "qa.types",
    "ArticleInfo": "qa.types",
    "BadFilter": "qa.errors",
    "BadRequest": "qa.errors",
    "ChromaUnavailable": "qa.errors",
    "Citation": "qa.types",
    "Conversation": "qa.chat",
    "EntityModelMissing": "qa.errors",
    "Feed": "qa.types",
    "FetchFailed": "qa.errors",
    "Filters": "qa.types",
    "IndexBusy": "qa.errors",
    "IndexDamaged": "qa.errors",
    "IndexMismatch": "qa.errors",
    "IndexNotFound": "qa.errors",
    "IndexReadOnly": "qa.errors",
    "IndexStats": "qa.types",
    "IngestReport": "qa.types",
    "Meta": "qa.types",
    "OutletInfo": "qa.types",
    "Passage": "qa.types",
    "PortBusy": "qa.errors",
    "Problem": "qa.types",
    "QAError": "qa.errors",
    "RefusalCode": "qa.types",
    "RefusalReason": "qa.types",
    "RefreshReport": "qa.types",
    "Removal": "qa.types",
    "Retrieval": "qa.types",
    "SearchOptions": "qa.types",
    "ServerError": "qa.errors",
    "Settings": "qa.config",
    "ShortAnswer": "qa.types",
    "Turn": "qa.types",
    "UnknownEmbedModel": "qa.errors",
    "UnknownReranker": "qa.errors",
    "Unprotected": "qa.errors",
    "UploadRejected": "qa.errors",
    "make_answerer": "qa.archive",
    "read_articles": "qa.corpus",
}
"""Where each public name lives: imported on first use, so that `qa --help` loads no model library."""


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)


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
    "Feed",
    "FetchFailed",
    "Filters",
    "IndexBusy",
    "IndexDamaged",
    "IndexMismatch",
    "IndexNotFound",
    "IndexReadOnly",
    "IndexStats",
    "IngestReport",
    "Meta",
    "OutletInfo",
    "Passage",
    "PortBusy",
    "Problem",
    "QAError",
    "RefreshReport",
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
