"""The Python API: one Archive object over an index folder, to ingest articles and ask questions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qa.answer import Answer, ExtractiveAnswerer, foreign_outlet_refusal
from qa.config import Settings
from qa.errors import BadFilter
from qa.index import Index, IndexStats
from qa.ingest import IngestReport, ingest
from qa.retrieve import Filters, HybridRetriever, Retrieval

if TYPE_CHECKING:
    from qa.llm import LLMAnswerer

DateLike = date | str | None


class Archive:
    """A news archive on disk: its index folder, and the questions asked of it.

    `Archive()` uses the settings from the environment (QA_*); `Archive(".qa")` names the folder;
    `Archive(settings=Settings(...))` sets everything, the answerer too (`answerer="llm"`). Opening does no work: the index is read
    on first use, and `ask` on a folder with no index raises IndexNotFound.
    """

    def __init__(self, index_dir: str | Path | None = None, *, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        self.settings = settings
        self._index: Index | None = None
        self._retriever: HybridRetriever | None = None
        self._answerer = _answerer(settings)

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.settings)
        return self._index

    def ingest(self, paths: Iterable[str | Path], *, rebuild: bool = False, progress: bool = False) -> IngestReport:
        """Add, update and remove articles so the index matches the files under `paths`.

        `rebuild` empties the index first (needed after changing the embedding or chunk settings).
        One ingest writes an index at a time: a second one raises IndexBusy.
        """
        self._index = Index(self.settings, create=True, rebuild=rebuild)
        self._retriever = None
        return ingest(self._index, list(paths), progress=progress)

    def retrieve(
        self,
        question: str,
        *,
        k: int | None = None,
        since: DateLike = None,
        until: DateLike = None,
        sources: Sequence[str] = (),
    ) -> Retrieval:
        """The passages that best match the question, best first."""
        if not question.strip():
            raise BadFilter("the question is empty")
        self.index.refresh()
        if self._retriever is None:
            self._retriever = HybridRetriever(self.index)
        filters = Filters(since=parse_date(since, "since"), until=parse_date(until, "until"), sources=tuple(sources))
        return self._retriever.retrieve(question, k, filters)

    def answer(self, retrieval: Retrieval) -> Answer:
        """The cited Answer to a retrieval's question, from its passages."""
        *_, answer = self.answer_stream(retrieval)
        assert isinstance(answer, Answer)
        return answer

    def answer_stream(self, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield the answer's text in pieces as it is produced, then the final Answer. A question
        about an outlet the archive has no articles from is refused without answering."""
        if retrieval.foreign_outlets:
            yield from foreign_outlet_refusal(retrieval.foreign_outlets)
            return
        yield from self._answerer.stream(retrieval)

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        since: DateLike = None,
        until: DateLike = None,
        sources: Sequence[str] = (),
    ) -> Answer:
        """Answer a question from the archive, citing each sentence; `refused` when it can't."""
        return self.answer(self.retrieve(question, k=k, since=since, until=until, sources=sources))

    def ask_stream(
        self,
        question: str,
        *,
        k: int | None = None,
        since: DateLike = None,
        until: DateLike = None,
        sources: Sequence[str] = (),
    ) -> Iterator[str | Answer]:
        """Yield the answer's text in pieces as it is produced, then the final Answer."""
        yield from self.answer_stream(self.retrieve(question, k=k, since=since, until=until, sources=sources))

    def llm_answerer(self) -> LLMAnswerer:
        """The LLM answerer, when the archive is set to use one (QA_ANSWERER=llm)."""
        from qa.llm import LLMAnswerer

        assert isinstance(self._answerer, LLMAnswerer)
        return self._answerer

    def stats(self) -> IndexStats:
        """Articles, chunks, outlets and date span of the index."""
        return self.index.stats()


def _answerer(settings: Settings) -> ExtractiveAnswerer | LLMAnswerer:
    """The answerer the settings name; the LLM client is imported only when it is used."""
    if settings.answerer == "llm":
        from qa.llm import LLMAnswerer

        return LLMAnswerer(settings)
    return ExtractiveAnswerer(settings)


def parse_date(value: DateLike, name: str) -> date | None:
    """A filter date from a date or a YYYY-MM-DD string."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadFilter(f"{name} date {value!r} is not YYYY-MM-DD") from None
