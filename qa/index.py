"""The index: a Chroma collection of embedded chunks, in a local folder or on a Chroma server, and
the local state derived from it: the ingestion docstore and the BM25 index.

Chroma is the source of truth. The collection's metadata holds what the index was built with
(embedding model, chunk settings) and a revision that an ingest changes before it writes and
again when it is done; every chunk carries its article's hash and chunk count. The local folder
records the revision its docstore and BM25 index were built at, and rebuilds them from Chroma
when Chroma has moved on: after an ingest from another machine, or one that was killed midway.
One ingest at a time writes through a folder: a second one waits for it (up to `lock_timeout`).
"""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from llama_index.core import Document
from llama_index.core.schema import BaseNode
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.vector_stores.chroma import ChromaVectorStore

from qa.config import Settings
from qa.errors import ChromaUnavailable, IndexBusy, IndexDamaged, IndexMismatch, IndexNotFound, IndexReadOnly
from qa.lexicon import Bm25Index
from qa.types import ArticleInfo, DenseHit, Feed, Filters, IndexStats, Meta

STATE = "state.json"
DOCSTORE = "docstore.json"
BM25_DIR = "bm25"
CHROMA_DIR = "chroma"
LOCK = "ingest.lock"
FEEDS_SUFFIX = "_feeds"
PLACEHOLDER: Sequence[float] = [1.0]
SCHEMA = 2
PAGE = 1000

log = logging.getLogger(__name__)


@dataclass
class _Local:
    """The docstore and BM25 index as of one Chroma revision."""

    revision: str
    docstore: SimpleDocumentStore
    bm25: Bm25Index | None


class Index:
    """One index: its Chroma collection and the local folder that caches what is derived from it."""

    def __init__(self, settings: Settings, *, create: bool = False, rebuild: bool = False) -> None:
        """Open an index; `create` makes it on first write; `rebuild` empties it when writing starts
        (and so opens one built with other settings). An index that holds no chunks yet (its
        first ingest failed before storing any) takes the current settings."""
        self.settings = settings
        self.dir = Path(settings.index_dir)
        self._rebuild_pending = rebuild
        self._local: _Local | None = None
        self._checked_at = 0.0
        self._changing: str | None = None
        try:
            metadata = self._metadata()
        except IndexDamaged:
            if not rebuild or settings.chroma_url:
                raise
            log.warning("the Chroma store in %s can't be read; rebuilding it", self.dir)
            self.__dict__.pop("_client", None)
            SharedSystemClient._identifier_to_system.pop(str(self.dir / CHROMA_DIR), None)
            shutil.rmtree(self.dir / CHROMA_DIR)
            metadata = None
        if metadata is None and not (create or rebuild):
            where = f"collection {settings.collection!r} on {settings.chroma_url}" if settings.chroma_url else str(self.dir)
            raise IndexNotFound(f"no index at {where}; run `qa ingest` first")
        if metadata is not None and not rebuild:
            self._check_manifest(metadata)

    def manifest(self) -> dict[str, object]:
        """What this index is built with; opening it with other values needs a rebuild."""
        return {"qa_schema": SCHEMA, **self.settings.index_settings()}

    def _check_manifest(self, metadata: dict[str, object]) -> None:
        if "qa_schema" not in metadata:
            raise IndexMismatch(
                f"the index at {self.where} was made by an older version of qa; run `qa ingest --rebuild` to rebuild it"
            )
        different = {k: (metadata.get(k), v) for k, v in self.manifest().items() if metadata.get(k) != v}
        if different and self.collection.count():
            detail = ", ".join(f"{k} {old!r} (now {new!r})" for k, (old, new) in different.items())
            raise IndexMismatch(f"the index at {self.where} was built with {detail}; run `qa ingest --rebuild` to rebuild it")

    @property
    def where(self) -> str:
        return self.settings.chroma_url or str(self.dir)

    @cached_property
    def _client(self) -> ClientAPI:
        url = self.settings.chroma_url
        if not url:
            return self._local_client()
        parts = urlsplit(url if "://" in url else f"http://{url}")
        try:
            client = chromadb.HttpClient(
                host=parts.hostname or "localhost",
                port=parts.port or (443 if parts.scheme == "https" else 8000),
                ssl=parts.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )
            client.heartbeat()
        except Exception as error:  # chromadb raises plain Exception and ValueError subclasses here
            raise ChromaUnavailable(f"cannot reach the Chroma server at {url} (QA_CHROMA_URL): {error}") from None
        return client

    def _local_client(self) -> ClientAPI:
        """The store in the index folder. Chroma opens its database for writing, so a folder this
        process may not write to is answered from a copy in a temporary folder (removed at exit)."""
        path = self.dir / CHROMA_DIR
        settings = ChromaSettings(anonymized_telemetry=False)
        with self._chroma_errors():
            if not path.exists() or (os.access(path, os.W_OK) and os.access(path / "chroma.sqlite3", os.W_OK)):
                return chromadb.PersistentClient(path=str(path), settings=settings)
            log.warning("the index folder %s is read-only: answering from a copy of it; `qa ingest` can't write there", self.dir)
            copy = Path(tempfile.mkdtemp(prefix="qa-index-")) / CHROMA_DIR
            shutil.copytree(path, copy)
            for folder in (copy, *(p for p in copy.rglob("*") if p.is_dir())):
                folder.chmod(0o755)
            for file in (p for p in copy.rglob("*") if p.is_file()):
                file.chmod(0o644)
            atexit.register(shutil.rmtree, copy.parent, ignore_errors=True)
            return chromadb.PersistentClient(path=str(copy), settings=settings)

    @contextmanager
    def _chroma_errors(self) -> Iterator[None]:
        """Chroma's failures to read a damaged store as IndexDamaged (a server's as ChromaUnavailable)."""
        try:
            yield
        except chromadb.errors.NotFoundError:
            raise
        except (chromadb.errors.ChromaError, sqlite3.Error) as error:
            detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            if self.settings.chroma_url:
                raise ChromaUnavailable(f"the Chroma server at {self.settings.chroma_url} failed: {detail}") from None
            raise IndexDamaged(
                f"the Chroma store in {self.dir / CHROMA_DIR} can't be read ({detail}); run `qa ingest --rebuild` "
                "to rebuild the index from the articles"
            ) from None

    def _metadata(self) -> dict[str, object] | None:
        """The collection's metadata, read afresh; None when the collection does not exist."""
        if not self.settings.chroma_url and not (self.dir / CHROMA_DIR).exists():
            return None
        try:
            with self._chroma_errors():
                return dict(self._client.get_collection(self.settings.collection).metadata or {})
        except chromadb.errors.NotFoundError:
            return None

    @cached_property
    def collection(self) -> chromadb.Collection:
        """The collection, created with the manifest as its metadata if it does not exist yet."""
        collection: chromadb.Collection = self._client.get_or_create_collection(
            self.settings.collection,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={**self.manifest(), "revision": "empty", "writing": False},
            embedding_function=None,
        )
        return collection

    @cached_property
    def vector_store(self) -> ChromaVectorStore:
        return ChromaVectorStore(chroma_collection=self.collection)

    def dense(self, embedding: list[float], n: int, filters: Filters = Filters()) -> list[DenseHit]:
        """The n chunks nearest to a query embedding within the filters, nearest first. Chroma
        returns ids and distances only: the chunks' outlets and text are the BM25 index's copy
        (reading the metadata back from Chroma took 12.6 of a query's 14.4 ms)."""
        queries: list[Sequence[float] | Sequence[int]] = [embedding]
        with self._chroma_errors():
            found = self.collection.query(query_embeddings=queries, n_results=n, where=_where(filters), include=["distances"])
        distances = (found["distances"] or [[]])[0]
        bm25 = self.bm25
        return [
            DenseHit(node_id, bm25.source(node_id) if bm25 else "", 1.0 - distance)
            for node_id, distance in zip(found["ids"][0], distances, strict=True)
        ]

    # Local state

    @property
    def docstore(self) -> SimpleDocumentStore:
        return self._current().docstore

    @property
    def bm25(self) -> Bm25Index | None:
        """The BM25 index, or None while the index holds no chunks."""
        return self._current().bm25

    def refresh(self) -> None:
        """Pick up another process's finished ingest (checked at most every `refresh_seconds`)."""
        if self._local is None or self._changing or time.monotonic() - self._checked_at < self.settings.refresh_seconds:
            return
        self._checked_at = time.monotonic()
        metadata = self._metadata() or {}
        if not metadata.get("writing") and metadata.get("revision") != self._local.revision:
            self._local = None
            self._reopen()

    def _reopen(self) -> None:
        """Open Chroma afresh, so that queries see what another process added. An embedded store
        loads its vector index into memory once per process and path, and Chroma shares that
        between the clients of a path: this client is closed, and if other clients in the process
        keep the old one alive, it is taken out of Chroma's registry so the next client loads anew."""
        client = self.__dict__.pop("_client", None)
        self.__dict__.pop("collection", None)
        self.__dict__.pop("vector_store", None)
        if client is not None and not self.settings.chroma_url:
            client.close()
            SharedSystemClient._identifier_to_system.pop(str(self.dir / CHROMA_DIR), None)

    def _current(self) -> _Local:
        if self._local is None:
            self._checked_at = time.monotonic()
            self._local = self._load()
        return self._local

    def _load(self, *, writer: bool = False) -> _Local:
        """The local state for Chroma's current revision: from disk when it matches, else rebuilt
        from Chroma and saved when no ingest holds the folder (a writer always saves)."""
        metadata = self._metadata() or {}
        revision = str(metadata.get("revision", "empty"))
        if self._disk_revision() == revision:
            cached = self._cached(revision)
            if cached is not None:
                return cached
        local = self._rebuild(revision, repair=writer)
        if writer:
            return self._save(local)
        try:
            with _exclusive(self.dir / LOCK, "saving the index cache", wait=0):
                return self._save(local)
        except (IndexBusy, OSError):
            return local

    def _cached(self, revision: str) -> _Local | None:
        """The docstore and BM25 index saved in the folder; None, with a line saying so, when they
        are missing or damaged (they are then rebuilt from Chroma)."""
        path = self.dir / DOCSTORE
        try:
            docstore = SimpleDocumentStore.from_persist_path(str(path)) if path.exists() else SimpleDocumentStore()
            bm25 = Bm25Index.load(self.dir / BM25_DIR)
            if (bm25 is None or not path.exists()) and revision != "empty":
                raise FileNotFoundError("missing")
        except Exception as error:  # whatever a damaged cache file makes its reader raise: the cache is rebuilt
            log.warning("the docstore or BM25 index in %s is %s; rebuilding it from Chroma", self.dir, _damage(error))
            return None
        return _Local(revision, docstore, bm25)

    def _disk_revision(self) -> str | None:
        try:
            return str(json.loads((self.dir / STATE).read_text())["revision"])
        except (OSError, ValueError, KeyError):
            return None

    def _rebuild(self, revision: str, *, repair: bool) -> _Local:
        """The docstore and BM25 index rebuilt from the chunks in Chroma, read a page at a time. An
        article with missing chunks (its ingest was cut short) is left out; `repair` also deletes
        its chunks."""
        counts: Counter[str] = Counter()
        hashes: dict[str, set[object]] = defaultdict(set)
        metadata: dict[str, dict[str, object]] = {}

        def tallied(pages: Iterator[list[BaseNode]]) -> Iterator[list[BaseNode]]:
            for nodes in pages:
                for node in nodes:
                    article_id = node.ref_doc_id or node.node_id
                    counts[article_id] += 1
                    hashes[article_id].add(node.metadata.get(Meta.ARTICLE_HASH))
                    metadata.setdefault(article_id, node.metadata)
                yield nodes

        bm25 = Bm25Index.build(tallied(self._pages()))
        docstore = SimpleDocumentStore()
        partial = set()
        for article_id, meta in metadata.items():
            if counts[article_id] != meta.get(Meta.ARTICLE_CHUNKS) or len(hashes[article_id]) != 1:
                partial.add(article_id)
                continue
            article = Document(id_=article_id, text="", metadata={k: v for k, v in meta.items() if k not in Meta.BOOKKEEPING})
            docstore.add_documents([article])
            docstore.set_document_hash(article_id, str(meta[Meta.ARTICLE_HASH]))
        if partial:
            if repair:
                self.collection.delete(where=_where_in(Meta.DOCUMENT_ID, sorted(partial)))
            bm25 = Bm25Index.build(self._pages(leave_out=partial))
        return _Local(revision, docstore, bm25)

    def _pages(self, leave_out: Set[str] = frozenset()) -> Iterator[list[BaseNode]]:
        """Every chunk in Chroma, a page of nodes at a time, without the articles left out."""
        for offset in range(0, self.collection.count(), PAGE):
            page = self.collection.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
            nodes = []
            for node_id, text, meta in zip(page["ids"], page["documents"] or [], page["metadatas"] or [], strict=True):
                node = metadata_dict_to_node(dict(meta or {}), text=text)
                node.id_ = node_id
                if node.ref_doc_id not in leave_out:
                    nodes.append(node)
            yield nodes

    def _save(self, local: _Local) -> _Local:
        """Write the docstore and BM25 index, then the revision they reflect; each file is replaced
        atomically, and the revision last, so a kill leaves a state that is rebuilt on next use."""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / STATE).unlink(missing_ok=True)
        temporary = self.dir / f"{DOCSTORE}.{os.getpid()}.tmp"
        local.docstore.persist(str(temporary))
        temporary.replace(self.dir / DOCSTORE)
        if local.bm25 is None:
            shutil.rmtree(self.dir / BM25_DIR, ignore_errors=True)
        else:
            local.bm25.save(self.dir / BM25_DIR)
        state = self.dir / f"{STATE}.{os.getpid()}.tmp"
        state.write_text(json.dumps({"revision": local.revision}) + "\n")
        state.replace(self.dir / STATE)
        return local

    # Writing

    @contextmanager
    def writing(self, *, progress: bool = False) -> Iterator[None]:
        """Hold the folder's ingest lock (waiting up to `lock_timeout` for another ingest); bring
        the local state in line with Chroma, deleting what a killed ingest half wrote; and, if the
        block changed Chroma (after `begin_change`), rebuild the local state and publish the new
        revision."""
        if not _writable(self.dir):
            raise IndexReadOnly(f"can't write to the index folder {self.dir}; ingest into a folder you may write to (--index)")
        with _exclusive(self.dir / LOCK, "ingest", wait=self.settings.lock_timeout, progress=progress):
            if self._rebuild_pending:
                self._drop()
                self._rebuild_pending = False
            self._local = self._load(writer=True)
            try:
                yield
            finally:
                self._changing = None
            metadata = self._metadata() or {}
            if metadata.get("writing") or self._local.revision != metadata.get("revision"):
                done = uuid.uuid4().hex
                self._local = self._save(_Local(done, self._local.docstore, Bm25Index.build(self._pages())))
                self._set_revision(done, writing=False)

    def begin_change(self) -> None:
        """Mark the collection as being written, before the first change to it."""
        if self._changing is None:
            self._changing = uuid.uuid4().hex
            self._set_revision(self._changing, writing=True)

    def _set_revision(self, revision: str, *, writing: bool) -> None:
        self.collection.modify(metadata={**self.manifest(), "revision": revision, "writing": writing})

    def _drop(self) -> None:
        """Delete the collection and the local state."""
        if self._metadata() is not None:
            self._client.delete_collection(self.settings.collection)
        self.__dict__.pop("collection", None)
        self.__dict__.pop("vector_store", None)
        for name in (STATE, DOCSTORE):
            (self.dir / name).unlink(missing_ok=True)
        shutil.rmtree(self.dir / BM25_DIR, ignore_errors=True)
        self._local = None

    def articles(self) -> list[ArticleInfo]:
        """Every article, newest first."""
        bm25 = self.bm25
        found = [
            ArticleInfo(
                id=doc_id,
                title=str(doc.metadata.get(Meta.TITLE, "")),
                source=str(doc.metadata.get(Meta.SOURCE, "")),
                published=str(doc.metadata.get(Meta.PUBLISHED, "")),
                url=str(doc.metadata.get(Meta.URL, "")),
                path=str(doc.metadata.get(Meta.PATH, "")),
                passages=bm25.chunks(doc_id) if bm25 else 0,
            )
            for doc_id, doc in self.docstore.docs.items()
        ]
        return sorted(found, key=lambda a: (a.published, a.title), reverse=True)

    def remove(self, article_ids: Sequence[str]) -> None:
        """Delete articles: their chunks from Chroma, their docstore entries, and (rebuilt) their BM25 entries."""
        if not _writable(self.dir):
            raise IndexReadOnly(f"can't write to the index folder {self.dir}")
        with self.writing():
            self.begin_change()
            for article_id in article_ids:
                self.vector_store.delete(article_id)
                self.docstore.delete_document(article_id, raise_error=False)

    @cached_property
    def _feeds(self) -> chromadb.Collection:
        """The followed feeds, in a collection of their own beside the articles' (so every machine
        of a Chroma server shares them): a record a feed, its state as JSON. Chroma stores
        records with a vector; each has a placeholder one, never queried."""
        with self._chroma_errors():
            return self._client.get_or_create_collection(f"{self.settings.collection}{FEEDS_SUFFIX}", embedding_function=None)

    def feeds(self) -> list[Feed]:
        """The followed feeds, by name (else url)."""
        if not self.settings.chroma_url and not (self.dir / CHROMA_DIR).exists():
            return []
        with self._chroma_errors():
            found = self._feeds.get(include=["documents"])
        feeds = [Feed(**json.loads(document)) for document in found["documents"] or []]
        return sorted(feeds, key=lambda feed: ((feed.name or feed.url).lower(), feed.url))

    def save_feed(self, feed: Feed) -> None:
        """Add a feed, or replace what is known of it."""
        with self._chroma_errors():
            self._feeds.upsert(ids=[feed.url], documents=[json.dumps(asdict(feed))], embeddings=[PLACEHOLDER])

    def remove_feed(self, url: str) -> bool:
        """Stop following a feed (its articles stay); False when it was not followed."""
        with self._chroma_errors():
            known = bool(self._feeds.get(ids=[url], include=[])["ids"])
            if known:
                self._feeds.delete(ids=[url])
        return known

    def stats(self) -> IndexStats:
        """Articles, chunks, outlets and date span, read from the docstore."""
        metadata = [doc.metadata for doc in self.docstore.docs.values()]
        dates = sorted(m[Meta.PUBLISHED] for m in metadata if m.get(Meta.PUBLISHED))
        return IndexStats(
            articles=len(metadata),
            chunks=self.collection.count(),
            outlets=sorted({m[Meta.SOURCE] for m in metadata if m.get(Meta.SOURCE)}),
            first_published=dates[0] if dates else None,
            last_published=dates[-1] if dates else None,
        )


def _damage(error: Exception) -> str:
    return "missing" if isinstance(error, FileNotFoundError) else f"damaged ({type(error).__name__})"


def _where_in(key: str, values: Sequence[str]) -> chromadb.Where:
    """A Chroma `where` filter for chunks whose `key` is one of `values`."""
    return cast("chromadb.Where", {key: {"$in": [*values]}})


def _where(filters: Filters) -> chromadb.Where | None:
    """A Chroma `where` filter for a date range and outlets; None when nothing is filtered. (Chroma
    types `where` as a union of dicts keyed by literal operators, which mypy does not infer from
    dict displays: hence the casts.)"""
    conditions: list[dict[str, Any]] = []
    if filters.since_ts is not None:
        conditions.append({Meta.PUBLISHED_TS: {"$gte": filters.since_ts}})
    if filters.until_ts is not None:
        conditions.append({Meta.PUBLISHED_TS: {"$lte": filters.until_ts}})
    if filters.sources:
        conditions.append(dict(_where_in(Meta.SOURCE, filters.sources)))
    if len(conditions) > 1:
        return cast("chromadb.Where", {"$and": conditions})
    return cast("chromadb.Where", conditions[0]) if conditions else None


def _writable(folder: Path) -> bool:
    """Whether files can be made in the folder (or in the nearest folder above it that exists)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)


@contextmanager
def _exclusive(path: Path, purpose: str, *, wait: float, progress: bool = False) -> Iterator[None]:
    """Hold an advisory lock on `path`, which the kernel releases when the holder dies, however
    it dies. Waits up to `wait` seconds for another holder, then raises IndexBusy naming it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"the index at {path.parent} is locked by {holder}; try again when it has finished "
                        "(QA_LOCK_TIMEOUT sets how long to wait)"
                    ) from None
                if progress and not told:
                    print(f"waiting for {holder} to finish with {path.parent} ...", file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.2)
        handle.truncate(0)
        handle.write(f"pid {os.getpid()} ({purpose})")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
