"""The index folder: a Chroma collection of embedded chunks, the ingestion docstore and a BM25 index.

Chroma is the source of truth for chunks; the BM25 index is rebuilt from it after every change
and the docstore keeps each article's hash and where it was read from, for incremental sync.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from llama_index.core.schema import BaseNode
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.vector_stores.chroma import ChromaVectorStore

from qa.config import Settings
from qa.errors import IndexMismatch, IndexNotFound
from qa.lexicon import Bm25Index

MANIFEST = "index.json"
DOCSTORE = "docstore.json"
BM25_DIR = "bm25"
CHROMA_DIR = "chroma"
SCHEMA = 1


@dataclass(frozen=True)
class IndexStats:
    """What an index holds, at a glance."""

    articles: int
    chunks: int
    outlets: list[str]
    first_published: str | None
    last_published: str | None


class Index:
    """One index folder, opened for reading and writing."""

    def __init__(self, settings: Settings, *, create: bool = False, rebuild: bool = False) -> None:
        self.settings = settings
        self.dir = Path(settings.index_dir)
        manifest_path = self.dir / MANIFEST
        if rebuild and self.dir.exists():
            self._empty()
        if manifest_path.exists():
            self._check_manifest(json.loads(manifest_path.read_text()))
        elif create or rebuild:
            self.dir.mkdir(parents=True, exist_ok=True)
            manifest = {"schema": SCHEMA, **settings.index_settings()}
            manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        else:
            raise IndexNotFound(f"no index at {self.dir}; run `qa ingest` first")

    def _empty(self) -> None:
        """Drop the collection (through the client, which Chroma shares per process) and the local state."""
        if self.settings.collection in [c.name for c in self._client.list_collections()]:
            self._client.delete_collection(self.settings.collection)
        (self.dir / MANIFEST).unlink(missing_ok=True)
        (self.dir / DOCSTORE).unlink(missing_ok=True)
        shutil.rmtree(self.dir / BM25_DIR, ignore_errors=True)

    def _check_manifest(self, manifest: dict[str, object]) -> None:
        wanted = {"schema": SCHEMA, **self.settings.index_settings()}
        different = {k: (manifest.get(k), v) for k, v in wanted.items() if manifest.get(k) != v}
        if different:
            detail = ", ".join(f"{k} {old!r} (now {new!r})" for k, (old, new) in different.items())
            raise IndexMismatch(
                f"the index at {self.dir} was built with {detail}; run `qa ingest --rebuild` to rebuild it"
            )

    @cached_property
    def _client(self) -> chromadb.ClientAPI:
        return chromadb.PersistentClient(path=str(self.dir / CHROMA_DIR), settings=ChromaSettings(anonymized_telemetry=False))

    @cached_property
    def collection(self) -> chromadb.Collection:
        return self._client.get_or_create_collection(
            self.settings.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    @cached_property
    def vector_store(self) -> ChromaVectorStore:
        return ChromaVectorStore(chroma_collection=self.collection)

    @cached_property
    def docstore(self) -> SimpleDocumentStore:
        path = self.dir / DOCSTORE
        return SimpleDocumentStore.from_persist_path(str(path)) if path.exists() else SimpleDocumentStore()

    def save_docstore(self) -> None:
        """Write the docstore atomically, so a kill leaves the old or the new one, never half."""
        temporary = self.dir / f"{DOCSTORE}.tmp"
        self.docstore.persist(str(temporary))
        temporary.replace(self.dir / DOCSTORE)

    @cached_property
    def bm25(self) -> Bm25Index | None:
        """The BM25 index, or None while the index holds no chunks."""
        return Bm25Index.load(self.dir / BM25_DIR)

    def rebuild_bm25(self) -> None:
        """Rebuild the BM25 index from every chunk in Chroma."""
        nodes: list[BaseNode] = self.vector_store.get_nodes(node_ids=None) if self.collection.count() else []
        self.__dict__["bm25"] = Bm25Index.build(nodes, self.dir / BM25_DIR)

    def stats(self) -> IndexStats:
        """Articles, chunks, outlets and date span, read from the docstore."""
        metadata = [doc.metadata for doc in self.docstore.docs.values()]
        dates = sorted(m["published"] for m in metadata if m.get("published"))
        return IndexStats(
            articles=len(metadata),
            chunks=self.collection.count(),
            outlets=sorted({m["source"] for m in metadata if m.get("source")}),
            first_published=dates[0] if dates else None,
            last_published=dates[-1] if dates else None,
        )
