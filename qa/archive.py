"""The Python API: one Archive object over an index folder, to ingest articles and ask questions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Unpack

from tqdm import tqdm

from qa.config import Settings
from qa.errors import BadRequest, IndexNotFound
from qa.extractive import ExtractiveAnswerer
from qa.index import Index
from qa.ingest import ingest
from qa.retrieve import HybridRetriever
from qa.types import (
    Answer,
    Answerer,
    AnswerStream,
    ArticleInfo,
    Feed,
    Filters,
    IndexStats,
    IngestReport,
    Meta,
    OutletInfo,
    RefreshReport,
    Removal,
    Retrieval,
    SearchOptions,
    foreign_outlet_refusal,
)

_URL = re.compile(r"^[A-Za-z][\w+.-]*://")
"""A path that names a scheme is a URL (fetched when http or https; refused with its reason when not)."""


def _valid_text(text: str) -> str:
    """The text with characters that can't be encoded (lone surrogates, which a terminal's or a
    client's broken input can carry) replaced, so the models can read it."""
    return text.encode("utf-8", "replace").decode("utf-8")


def make_answerer(settings: Settings) -> Answerer:
    """The answerer the settings name; the LLM client is imported only when it is used."""
    if settings.answerer == "llm":
        from qa.llm import LLMAnswerer

        return LLMAnswerer(settings)
    return ExtractiveAnswerer(settings)


class Archive:
    """A news archive on disk: its index folder, and the questions asked of it. (What fetches from
    the web is imported only when a URL or a feed is read.)

    `Archive()` uses the settings from the environment (QA_*); `Archive(".qa")` names the folder;
    `Archive(settings=Settings(...))` sets everything, the answerer too (`answerer="llm"`). Opening
    does no work: the index is read on first use, and `ask` on a folder with no index raises
    IndexNotFound. Searches take `k` (passages to retrieve), `since` and `until` (dates or
    YYYY-MM-DD) and `sources` (outlets): see SearchOptions.
    """

    def __init__(self, index_dir: str | Path | None = None, *, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        self.settings = settings
        self.answerer = make_answerer(settings)
        self._index: Index | None = None
        self._retriever: HybridRetriever | None = None

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.settings)
        return self._index

    def ingest(self, paths: Iterable[str | Path], *, rebuild: bool = False, progress: bool = False) -> IngestReport:
        """Add, update and remove articles so the index matches the files under `paths`; an
        http(s) URL among them is fetched and its article added or updated (see qa.pages).

        `rebuild` empties the index first (needed after changing the embedding or chunk settings).
        One ingest writes an index at a time: a second one raises IndexBusy. A path that does not
        exist raises BadRequest before anything is written.
        """
        from qa.fetch import Fetcher
        from qa.pages import fetch_article

        paths = list(paths)
        urls = [str(p) for p in paths if _URL.match(str(p))]
        files = [p for p in paths if str(p) not in urls]
        missing = [str(p) for p in files if not Path(p).exists()]
        if missing:
            raise BadRequest(f"no such file or folder: {', '.join(missing)}")
        with Fetcher(self.settings) as fetcher:
            pages = tqdm(urls, desc="Fetching", unit="page", disable=not progress or not urls)
            fetched = [item for url in pages for item in fetch_article(fetcher, url)]
        self._index = Index(self.settings, create=True, rebuild=rebuild)
        self._retriever = None
        return ingest(self._index, files, articles=fetched, progress=progress)

    def _store(self) -> Index:
        """The index to keep the feed list in: this archive's, or a new one (no articles yet)."""
        try:
            return self.index
        except IndexNotFound:
            return Index(self.settings, create=True)

    def feeds(self) -> list[Feed]:
        """The followed RSS and Atom feeds, with how their last refresh went."""
        return self._store().feeds()

    def add_feed(self, url: str, name: str = "") -> Feed:
        """Follow a feed (its items are read by `refresh`); `name`, when given, is the outlet of all
        its items (else each page's site name, else the feed's title). Following one already
        followed with a name renames it."""
        from qa.feeds import check_feed_url

        check_feed_url(url)
        index = self._store()
        known = {feed.url: feed for feed in index.feeds()}
        feed = known.get(url, Feed(url))
        feed = replace(feed, name=name or feed.name)
        index.save_feed(feed)
        return feed

    def remove_feed(self, url: str) -> bool:
        """Stop following a feed (the articles read from it stay); False when it was not followed."""
        return self._store().remove_feed(url)

    def refresh(self, *, progress: bool = False) -> RefreshReport:
        """Read every followed feed and ingest its new and changed items (one failing feed or page
        is a problem of the report; the rest go on). A feed removed or renamed while the refresh ran
        stays removed or renamed."""
        from qa.feeds import read_feeds
        from qa.fetch import Fetcher

        index = self._store()
        feeds = index.feeds()
        if not feeds:
            raise BadRequest("no feeds are followed: add one with `qa feeds add URL`")
        known = set(index.docstore.docs)
        with Fetcher(self.settings) as fetcher:
            read = read_feeds(feeds, fetcher, known, progress=progress)
        self._index, self._retriever = index, None
        done = ingest(index, [], articles=[*read.articles, *read.problems], progress=progress)
        now = {feed.url: feed for feed in index.feeds()}
        for feed in read.feeds:
            if feed.url in now:
                index.save_feed(replace(feed, name=now[feed.url].name))
        failed = sum(feed.status.startswith("failed") for feed in read.feeds)
        report = RefreshReport(
            **vars(done), requests=fetcher.requests, received=fetcher.received, feeds=len(feeds), failed_feeds=failed
        )
        report.unchanged += read.unchanged
        return report

    def check(self, question: str, **options: Unpack[SearchOptions]) -> None:
        """Raise BadRequest when the question is empty or longer than QA_MAX_QUESTION_CHARS, or `k`
        is outside 1 to QA_MAX_K, or a filter can't be read."""
        self.settings.check_request(question, options.get("k"))
        Filters.parse(options)

    def retrieve(self, question: str, *, focus: str = "", **options: Unpack[SearchOptions]) -> Retrieval:
        """The passages that best match the question, best first. `focus`: the words the answer is
        chosen for, when they differ from the question searched with (a follow-up's own words)."""
        self.check(question, **options)
        question, focus = _valid_text(question), _valid_text(focus)
        self.index.refresh()
        retriever = self._retriever
        if retriever is None:
            retriever = self._retriever = HybridRetriever(self.index)
        return retriever.retrieve(question, options.get("k"), Filters.parse(options), focus)

    def answer_stream(self, retrieval: Retrieval, answerer: Answerer | None = None) -> AnswerStream:
        """The cited answer to a retrieval's question, from its passages, as it is written (by
        `answerer`, else the archive's own). A question about an outlet the archive has no
        articles from is refused without answering."""
        if retrieval.refusal:
            stream = AnswerStream.refusal(retrieval.refusal)
        elif retrieval.foreign_outlets:
            stream = AnswerStream.refusal(foreign_outlet_refusal(retrieval.foreign_outlets))
        else:
            stream = (answerer or self.answerer).stream(retrieval)
        stream.retrieval = retrieval
        return stream

    def answer(self, retrieval: Retrieval) -> Answer:
        """The cited Answer to a retrieval's question, from its passages."""
        return self.answer_stream(retrieval).answer

    def ask_stream(self, question: str, **options: Unpack[SearchOptions]) -> AnswerStream:
        """Answer a question as the answer is written: iterate for its text, then read `.answer`."""
        return self.answer_stream(self.retrieve(question, **options))

    def ask(self, question: str, **options: Unpack[SearchOptions]) -> Answer:
        """Answer a question from the archive, citing each sentence; `refused` when it can't."""
        return self.ask_stream(question, **options).answer

    def stats(self) -> IndexStats:
        """Articles, chunks, outlets and date span of the index, as of now (another process's
        finished ingest included)."""
        self.index.refresh()
        return self.index.stats()

    def articles(self) -> list[ArticleInfo]:
        """Every article in the index, newest first."""
        self.index.refresh()
        return self.index.articles()

    def outlets(self) -> list[OutletInfo]:
        """Every outlet of the index with its article count and date span, by name."""
        found: dict[str, list[ArticleInfo]] = {}
        for article in self.articles():
            found.setdefault(article.source, []).append(article)
        return [
            OutletInfo(name, len(articles), min(dates, default=""), max(dates, default=""))
            for name, articles in sorted(found.items())
            if name
            for dates in [[a.published for a in articles if a.published]]
        ]

    def article(self, reference: str) -> ArticleInfo | None:
        """The article named by its id, url or path as listed; None when none is."""
        return next((a for a in self.articles() if a.named_by(reference)), None)

    def read(self, reference: str) -> dict[str, object] | None:
        """An article named by its id, url or path, with its text, as the API and MCP give it;
        None when none is named so."""
        found = self.article(reference)
        return None if found is None else {**found.to_dict(), "text": self.article_text(found.id)}

    def article_text(self, article_id: str) -> str:
        """An article's body as the index holds it; empty for an id it lacks."""
        bm25 = self.index.bm25
        return bm25.article_body(article_id) if bm25 else ""

    def remove(self, references: Iterable[str]) -> Removal:
        """Remove articles named by id, url, path as listed (`corpus/a.md`) or file path. An
        article from an uploaded file is removed with the file (and every article in it); one read
        from elsewhere comes back if its folder is ingested again while its file is still there."""
        known = self.articles()
        files = {doc_id: str(doc.metadata.get(Meta.FILE, "")) for doc_id, doc in self.index.docstore.docs.items()}
        uploads = self.settings.uploads_dir.resolve()
        chosen: dict[str, ArticleInfo] = {}
        unknown = []
        for reference in references:
            resolved = str(Path(reference).resolve())
            matched = [a for a in known if a.named_by(reference) or (reference and files[a.id] == resolved)]
            if not matched:
                unknown.append(reference)
            chosen |= {a.id: a for a in matched}
        dropped = {files[i] for i in chosen if Path(files[i]).parent == uploads}
        chosen |= {a.id: a for a in known if files[a.id] in dropped}
        if chosen:
            self.index.remove(sorted(chosen))
            self._retriever = None
            for file in dropped:
                Path(file).unlink(missing_ok=True)
        return Removal(list(chosen.values()), unknown)
