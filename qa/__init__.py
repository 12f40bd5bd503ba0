"""Ask questions of a news archive and get answers with citations you can check.

    from qa import Archive
    archive = Archive(".qa")
    archive.ingest(["corpus/"])
    answer = archive.ask("Who traveled to Moscow for talks with Putin?")
"""

from qa import offline  # noqa: F401  (sets the offline environment before anything else loads)
from qa.answer import REFUSAL, Answer, Citation
from qa.archive import Archive
from qa.config import Settings
from qa.corpus import Article, Problem, read_articles
from qa.errors import BadFilter, IndexMismatch, IndexNotFound, QAError
from qa.index import IndexStats
from qa.ingest import IngestReport
from qa.retrieve import Filters, Passage, Retrieval

__all__ = [
    "REFUSAL",
    "Answer",
    "Archive",
    "Article",
    "BadFilter",
    "Citation",
    "Filters",
    "IndexMismatch",
    "IndexNotFound",
    "IndexStats",
    "IngestReport",
    "Passage",
    "Problem",
    "Retrieval",
    "QAError",
    "Settings",
    "read_articles",
]
