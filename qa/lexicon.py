"""The BM25 side of the index: keyword search with filters, and the term statistics it holds."""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import numpy as np
from bm25s.tokenization import Tokenizer
from llama_index.core.schema import BaseNode, MetadataMode, NodeWithScore
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict
from llama_index.retrievers.bm25 import BM25Retriever

from qa.text import STEMMER, TOKEN
from qa.types import ArticleInfo, Meta

OVERLAP_PROBE = 60
OVERLAP_SEARCH = 4000
"""How a chunk's start is looked for in the end of the one before it (chunks overlap by a few dozen
tokens), to join an article's chunks back into its text."""


def _chunk_number(node: BaseNode) -> int:
    """The chunk's place in its article, from its id (`article::n`)."""
    _, _, number = node.node_id.rpartition("::")
    return int(number) if number.isdigit() else 0


class Bm25Index:
    """A persisted BM25 index over every chunk, with per-chunk dates and outlets for filtering."""

    def __init__(self, retriever: BM25Retriever) -> None:
        self._retriever = retriever
        bm25 = retriever.bm25
        corpus = retriever.corpus
        self.size = int(bm25.scores["num_docs"])
        self._published = np.array(
            [float(c[Meta.PUBLISHED_TS]) if c.get(Meta.PUBLISHED_TS) not in (None, "") else np.nan for c in corpus]
        )
        self._corpus = corpus
        self._positions = {str(entry["node_id"]): i for i, entry in enumerate(corpus)}
        self._articles: dict[str, list[int]] = {}
        self._texts: dict[str, str] = {}
        self._nodes: dict[int, BaseNode] = {}
        self._stories: dict[str, list[str]] | None = None
        for i, entry in enumerate(corpus):
            self._articles.setdefault(str(entry.get(Meta.DOCUMENT_ID) or entry["node_id"]), []).append(i)
        self._outlets = [str(c.get(Meta.SOURCE) or "") for c in corpus]
        self.sources = sorted(set(self._outlets) - {""})
        self._sources = np.array([o.lower() for o in self._outlets], dtype=object)
        indptr = bm25.scores["indptr"]
        self._df = {
            token: int(indptr[i + 1] - indptr[i]) for token, i in bm25.vocab_dict.items() if token and i + 1 < len(indptr)
        }

    @classmethod
    def build(cls, pages: Iterable[Sequence[BaseNode]]) -> Bm25Index | None:
        """Index the nodes' embedded text (header and body), tokenizing a page of nodes at a time so
        that only the index itself is held whole; None when there are none. The result is what
        llama-index's BM25Retriever builds from the same nodes at once."""
        tokenizer = Tokenizer(stemmer=STEMMER, stopwords="en", splitter=TOKEN.pattern)
        corpus: list[dict[str, object]] = []
        token_ids: list[list[int]] = []
        for nodes in pages:
            corpus += [node_to_metadata_dict(node) | {"node_id": node.node_id} for node in nodes]
            texts = [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
            token_ids += tokenizer.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
        if not corpus:
            return None
        bm25 = bm25s.BM25()
        bm25.index((token_ids, tokenizer.get_vocab_dict()), show_progress=False)
        bm25.corpus = corpus
        return cls(BM25Retriever(existing_bm25=bm25, stemmer=STEMMER, similarity_top_k=1))

    def save(self, folder: Path) -> None:
        """Replace the folder's index with this one, atomically."""
        staging = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=folder.parent))
        self._retriever.persist(str(staging), show_progress=False)
        old = Path(tempfile.mkdtemp(prefix=f"{folder.name}.old.", dir=folder.parent))
        if folder.exists():
            folder.rename(old / folder.name)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> Bm25Index | None:
        """Open a persisted index; None when there is none."""
        if not folder.exists():
            return None
        return cls(BM25Retriever.from_persist_dir(str(folder)))

    @property
    def years(self) -> list[int]:
        """The years the chunks' articles were published in."""
        stamps = self._published[~np.isnan(self._published)]
        return sorted({datetime.fromtimestamp(int(s), UTC).year for s in np.unique(stamps)})

    def mask(
        self,
        since_ts: int | None,
        until_ts: int | None,
        sources: Sequence[str],
        periods: Sequence[tuple[int, int]] = (),
    ) -> np.ndarray | None:
        """1 for chunks that pass the filters (and were published within one of `periods`, first and
        last day as epoch seconds, if given), 0 for the rest; None when nothing is filtered."""
        if since_ts is None and until_ts is None and not sources and not periods:
            return None
        keep = np.ones(self.size, dtype=bool)
        with np.errstate(invalid="ignore"):
            if periods:
                keep &= np.any([(self._published >= a) & (self._published <= b) for a, b in periods], axis=0)
            if since_ts is not None:
                keep &= self._published >= since_ts
            if until_ts is not None:
                keep &= self._published <= until_ts
        if sources:
            keep &= np.isin(self._sources, [s.lower() for s in sources])
        return keep.astype(np.int8)

    def article_text(self, article_id: str) -> str:
        """An article's title and the text of all its chunks; empty when the index lacks it. Kept
        once read: an index is never changed in place (an ingest loads a new one)."""
        if article_id not in self._texts:
            nodes = [self._node_at(i) for i in self._articles.get(article_id, [])]
            text = " ".join([str(nodes[0].metadata.get(Meta.TITLE, "")), *(n.get_content() for n in nodes)]) if nodes else ""
            self._texts[article_id] = text
        return self._texts[article_id]

    def article_ids(self) -> list[str]:
        """Every article's id."""
        return list(self._articles)

    def story(self, article_id: str) -> str:
        """The story the article is a syndicated copy of; empty when it copies none."""
        positions = self._articles.get(article_id)
        return str(self._corpus[positions[0]].get(Meta.STORY) or "") if positions else ""

    def copies(self, article_id: str) -> list[ArticleInfo]:
        """The other articles of the article's story (its syndicated copies, or the story it
        copies and that story's other copies), oldest first."""
        if self._stories is None:
            self._stories = {}
            for other in self._articles:
                self._stories.setdefault(self.story(other) or other, []).append(other)
        members = self._stories.get(self.story(article_id) or article_id, [])
        return sorted((self.info(other) for other in members if other != article_id), key=lambda a: (a.published, a.id))

    def info(self, article_id: str) -> ArticleInfo:
        """An article's title, outlet, date, url, path and passage count, from its first chunk."""
        meta = self._corpus[self._articles[article_id][0]]
        fields = {
            name: str(meta.get(key) or "")
            for name, key in (
                ("title", Meta.TITLE),
                ("source", Meta.SOURCE),
                ("published", Meta.PUBLISHED),
                ("url", Meta.URL),
                ("path", Meta.PATH),
            )
        }
        return ArticleInfo(id=article_id, passages=self.chunks(article_id), **fields)

    def chunks(self, article_id: str) -> int:
        """How many chunks (passages) the article has."""
        return len(self._articles.get(article_id, []))

    def article_body(self, article_id: str) -> str:
        """An article's body, its chunks joined in order with their overlaps taken out; empty when
        the index lacks it."""
        nodes = sorted((self._node_at(i) for i in self._articles.get(article_id, [])), key=_chunk_number)
        body = ""
        for node in nodes:
            text = node.get_content()
            start = body.rfind(text[:OVERLAP_PROBE], max(0, len(body) - OVERLAP_SEARCH)) if body else -1
            if start >= 0 and text.startswith(body[start:]):
                body = body[:start] + text
            else:
                body = f"{body}\n\n{text}" if body else text
        return body

    def node(self, node_id: str) -> BaseNode | None:
        """A chunk by id, from this index's copy of it (one node shared by every search: read it,
        don't change it); None when it has no such chunk."""
        position = self._positions.get(node_id)
        return None if position is None else self._node_at(position)

    def source(self, node_id: str) -> str:
        """A chunk's outlet as its article names it; empty when it has none or the index lacks it."""
        position = self._positions.get(node_id)
        return "" if position is None else self._outlets[position]

    def _node_at(self, position: int) -> BaseNode:
        """The chunk at a position of the corpus, built once: an index is never changed in place."""
        if position not in self._nodes:
            self._nodes[position] = metadata_dict_to_node(self._corpus[position])
        return self._nodes[position]

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[NodeWithScore]:
        """The top k chunks by BM25 among those the mask keeps; chunks sharing no term are left out.
        It asks bm25s as llama-index's BM25Retriever does, but hands out the chunks built once
        (the retriever rebuilds every hit's node from its stored dict: 10 ms a question)."""
        if mask is not None and not mask.any():
            return []
        retriever = self._retriever
        tokens = bm25s.tokenize(query, stemmer=STEMMER, token_pattern=retriever.token_pattern, show_progress=False)
        documents, scores = retriever.bm25.retrieve(tokens, k=min(k, self.size), show_progress=False, weight_mask=mask)
        return [
            NodeWithScore(node=self._node_at(self._positions[str(document["node_id"])]), score=float(score))
            for document, score in zip(documents[0], scores[0], strict=True)
            if score > 0
        ]

    def knows(self, term: str) -> bool:
        """Whether any chunk holds the stemmed term."""
        return term in self._df

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of a stemmed term.

        A term the index lacks counts as the rarest term it has, not more: in a small archive an
        unseen word is as often a paraphrase as a sign that the answer is missing.
        """
        df = max(self._df.get(term, 1), 1)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))
