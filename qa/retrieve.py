"""Hybrid retrieval: dense (Chroma) and BM25 lists, filtered by date and outlet, fused by rank."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from llama_index.core.schema import BaseNode, NodeWithScore

from qa.analysis import foreign_outlets, named_outlets, named_periods
from qa.embeddings import embedding_errors, load_embed_model
from qa.errors import BadFilter
from qa.index import Index
from qa.ingest import epoch
from qa.lexicon import terms
from qa.rerank import rerank

RRF_K = 60


@dataclass(frozen=True)
class Filters:
    """Which articles a question may draw on: published since/until (inclusive) and outlets."""

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise BadFilter(f"since {self.since} is after until {self.until}")


@dataclass
class Passage:
    """A retrieved chunk, its fused score, and its cosine similarity to the question when dense search found it."""

    node: BaseNode
    score: float
    similarity: float | None = None

    @property
    def text(self) -> str:
        return self.node.get_content()

    @property
    def metadata(self) -> dict:
        return self.node.metadata


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


class HybridRetriever:
    """Finds the passages of an index that best match a question, within the given filters."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings = index.settings
        self.embed_model = load_embed_model(self.settings)

    def retrieve(self, question: str, k: int | None = None, filters: Filters = Filters()) -> Retrieval:
        """The top k passages. When the question names outlets (and no outlet filter is set), each
        named outlet gets its own ranked list and the lists are interleaved, so that a question about
        two outlets' articles finds both. Days and months the question names add a BM25 list of the
        articles published in them. Outlets the question names that the archive lacks are noted
        on the Retrieval, so the question can be refused. A configured reranker reorders the top of
        each fused list before the interleaving."""
        k = k or self.settings.top_k
        bm25 = self.index.bm25
        if bm25 is None:
            return Retrieval(question)
        filters = replace(filters, sources=tuple(self._known_sources(filters.sources)))
        since_ts = epoch(filters.since) if filters.since else None
        until_ts = epoch(filters.until) if filters.until else None
        depth = max(k, self.settings.candidates)
        groups = named_outlets(question, bm25.sources) if self.settings.outlet_analysis and not filters.sources else []
        periods = (
            [(epoch(p.first), epoch(p.last)) for p in named_periods(question, bm25.years)] if self.settings.date_weight else []
        )
        # Outlets named in the question filter the dense list after an unfiltered query: Chroma's
        # filtered queries slow down with the collection (147 ms at 100,000 chunks, against 3 ms).
        # Chroma returns ids and outlets only; the chunks kept come from the BM25 index's copy.
        with embedding_errors(self.settings):
            query_embedding = self.embed_model.get_query_embedding(question)
        found = self.index.collection.query(
            query_embeddings=[query_embedding],
            n_results=min(depth * (self.settings.outlet_overfetch if groups else 1), bm25.size),
            where=_where(since_ts, until_ts, list(filters.sources)),
            include=["metadatas", "distances"],
        )
        dense = [
            (node_id, (meta or {}).get("source"))
            for node_id, meta in zip(found["ids"][0], (found["metadatas"] or [[]])[0])
        ]
        similarities = dict(zip(found["ids"][0], (1.0 - d for d in (found["distances"] or [[]])[0])))

        def fused(sources: tuple[str, ...]) -> list[Passage]:
            kept = [node_id for node_id, source in dense if not groups or source in sources][:depth]
            dense_hits = [NodeWithScore(node=node) for node in map(bm25.node, kept) if node is not None]
            keyword = bm25.search(question, depth, bm25.mask(since_ts, until_ts, sources))
            lists, weights = [dense_hits, keyword], [self.settings.dense_weight, self.settings.keyword_weight]
            if periods:
                lists.append(bm25.search(question, depth, bm25.mask(since_ts, until_ts, sources, periods)))
                weights.append(self.settings.date_weight)
            ranked = reciprocal_rank_fusion(lists, weights=weights, k=self.settings.rrf_k)
            if self.settings.reranker:
                ranked = rerank(self.settings.reranker, question, ranked, self.settings.rerank_depth)
            return [Passage(hit.node, hit.score or 0.0, similarities.get(hit.node.node_id)) for hit in ranked]

        passages = interleave([fused(tuple(g)) for g in groups]) if groups else fused(filters.sources)
        missing = foreign_outlets(question, bm25.sources) if self.settings.refuse_foreign_outlets else []
        weights = {term: bm25.idf(term) for term in set(terms(question))}
        return Retrieval(question, passages[:k], missing, weights)

    def _known_sources(self, wanted: tuple[str, ...]) -> list[str]:
        """The index's own spelling of each wanted outlet (matched ignoring case)."""
        if not wanted:
            return []
        known = {s.lower(): s for s in self.index.bm25.sources}  # type: ignore[union-attr]
        missing = [w for w in wanted if w.lower() not in known]
        if missing:
            listed = ", ".join(sorted(known.values())[:20]) or "none"
            raise BadFilter(f"no articles from {', '.join(missing)} in the index; outlets: {listed}")
        return [known[w.lower()] for w in wanted]


def interleave(lists: list[list[Passage]]) -> list[Passage]:
    """Round-robin over ranked lists, best first, each passage once."""
    seen: set[str] = set()
    merged = []
    for rank in range(max((len(ranked) for ranked in lists), default=0)):
        for ranked in lists:
            if rank < len(ranked) and ranked[rank].node.node_id not in seen:
                seen.add(ranked[rank].node.node_id)
                merged.append(ranked[rank])
    return merged


def reciprocal_rank_fusion(
    ranked_lists: list[list[NodeWithScore]], weights: list[float] | None = None, k: int = RRF_K
) -> list[NodeWithScore]:
    """Fuse ranked lists by weighted reciprocal rank (weight / (k + rank)), keyed by node id.

    llama-index's QueryFusionRetriever does the same sum but overwrites each list's own scores in
    place, keys by content hash and has no weights; here the dense similarities are kept for the
    refusal check and the lists can be weighted.
    """
    scores: dict[str, float] = {}
    nodes: dict[str, BaseNode] = {}
    for ranked, weight in zip(ranked_lists, weights or [1.0] * len(ranked_lists)):
        for rank, hit in enumerate(ranked):
            node_id = hit.node.node_id
            nodes.setdefault(node_id, hit.node)
            scores[node_id] = scores.get(node_id, 0.0) + weight / (k + rank + 1)
    order = sorted(scores, key=scores.__getitem__, reverse=True)
    return [NodeWithScore(node=nodes[i], score=scores[i]) for i in order]


def _where(since_ts: int | None, until_ts: int | None, sources: list[str]) -> dict | None:
    """A Chroma `where` filter for a date range and outlets; None when nothing is filtered."""
    conditions: list[dict] = []
    if since_ts is not None:
        conditions.append({"published_ts": {"$gte": since_ts}})
    if until_ts is not None:
        conditions.append({"published_ts": {"$lte": until_ts}})
    if sources:
        conditions.append({"source": {"$in": sources}})
    if len(conditions) > 1:
        return {"$and": conditions}
    return conditions[0] if conditions else None
