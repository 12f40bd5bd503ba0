"""Hybrid retrieval: dense (Chroma) and BM25 lists, filtered by date and outlet, fused by rank."""

from __future__ import annotations

from dataclasses import replace

from llama_index.core.schema import BaseNode, NodeWithScore

from qa.analysis import foreign_outlets, named_outlets, named_periods
from qa.embeddings import embedding_errors, load_query_embedder
from qa.errors import BadFilter
from qa.index import Index
from qa.language import language
from qa.lexicon import Bm25Index
from qa.rerank import rerank
from qa.text import STEMMER, terms
from qa.types import Filters, Passage, RefusalCode, RefusalReason, Retrieval, epoch

EMPTY_INDEX = RefusalReason(
    RefusalCode.EMPTY_INDEX, "The archive is empty: add articles (`qa ingest PATH`, or the chat's upload), then ask again."
)
LANGUAGES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch"}

RRF_K = 60


class HybridRetriever:
    """Finds the passages of an index that best match a question, within the given filters."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings = index.settings
        self.embed_model = load_query_embedder(self.settings)

    def retrieve(self, question: str, k: int | None = None, filters: Filters = Filters(), focus: str = "") -> Retrieval:
        """The top k passages. When the question names outlets (and no outlet filter is set), each
        named outlet gets its own ranked list and the lists are interleaved, so that a question about
        two outlets' articles finds both. Days and months the question names add a BM25 list of the
        articles published in them. Outlets the question names that the archive lacks are noted
        on the Retrieval, so the question can be refused. A configured reranker reorders the top of
        each fused list before the interleaving.

        Refusals that no passage can change are set on the Retrieval, without searching: an empty
        index, a question not in English, filters that exclude every article. `focus` (the user's
        own words, when `question` joins a follow-up to the question before it) adds its terms to
        the term weights."""
        k = k or self.settings.top_k
        bm25 = self.index.bm25
        if bm25 is None:
            return Retrieval(question, refusal=EMPTY_INDEX, focus=focus)
        code = language(focus or question, lambda word: bm25.knows(STEMMER.stemWord(word)))
        if code != "en":
            return Retrieval(question, refusal=not_english(code), focus=focus)
        filters = replace(filters, sources=known_sources(filters.sources, bm25.sources))
        mask = bm25.mask(filters.since_ts, filters.until_ts, filters.sources)
        if mask is not None and not mask.any():
            reason = f"No article in the archive was {filters.describe()}; widen or clear the filters."
            return Retrieval(question, refusal=RefusalReason(RefusalCode.FILTERED_OUT, reason), focus=focus)
        depth = max(k, self.settings.candidates)
        groups = named_outlets(question, bm25.sources) if self.settings.outlet_analysis and not filters.sources else []
        periods = (
            [(epoch(p.first), epoch(p.last)) for p in named_periods(question, bm25.years)] if self.settings.date_weight else []
        )
        # Outlets named in the question filter the dense list after an unfiltered query: Chroma's
        # filtered queries slow down with the collection (147 ms at 100,000 chunks, against 3 ms).
        with embedding_errors(self.settings):
            query_embedding = self.embed_model.get_query_embedding(question)
        dense = self.index.dense(
            query_embedding, min(depth * (self.settings.outlet_overfetch if groups else 1), bm25.size), filters
        )
        similarities = {hit.node_id: hit.similarity for hit in dense}

        def fused(sources: tuple[str, ...]) -> list[Passage]:
            kept = [hit.node_id for hit in dense if not groups or hit.source in sources][:depth]
            dense_hits = [NodeWithScore(node=node) for node in map(bm25.node, kept) if node is not None]
            keyword = bm25.search(question, depth, bm25.mask(filters.since_ts, filters.until_ts, sources))
            lists, weights = [dense_hits, keyword], [self.settings.dense_weight, self.settings.keyword_weight]
            if periods:
                lists.append(bm25.search(question, depth, bm25.mask(filters.since_ts, filters.until_ts, sources, periods)))
                weights.append(self.settings.date_weight)
            ranked = reciprocal_rank_fusion(lists, weights=weights, k=self.settings.rrf_k)
            if self.settings.reranker:
                ranked = rerank(self.settings.reranker, question, ranked, self.settings.rerank_depth)
            return [Passage(hit.node, hit.score or 0.0, similarities.get(hit.node.node_id)) for hit in ranked]

        passages = one_copy_per_story(interleave([fused(tuple(g)) for g in groups]) if groups else fused(filters.sources), bm25)
        missing = foreign_outlets(question, bm25.sources) if self.settings.refuse_foreign_outlets else []
        weights = {term: bm25.idf(term) for term in {*terms(question), *terms(focus)}}
        articles = {p.article_id: bm25.article_text(p.article_id) for p in passages[:k]}
        unknown = frozenset(t for t in weights if not bm25.knows(t))
        return Retrieval(
            question,
            passages[:k],
            missing,
            weights,
            focus=focus,
            outlets=tuple(bm25.sources),
            unknown_terms=unknown,
            articles=articles,
        )


def not_english(code: str) -> RefusalReason:
    """The refusal for a question in another language."""
    name = LANGUAGES.get(code, f"another language ({code})")
    return RefusalReason(
        RefusalCode.NOT_ENGLISH,
        f"The question seems to be in {name}, and the bundled models are English-only: ask in "
        "English, or set QA_EMBED_MODEL=openai:<a multilingual model> and rebuild the index (`qa ingest --rebuild`).",
    )


def known_sources(wanted: tuple[str, ...], sources: list[str]) -> tuple[str, ...]:
    """The index's own spelling of each wanted outlet (matched ignoring case)."""
    if not wanted:
        return ()
    known = {s.lower(): s for s in sources}
    missing = [w for w in wanted if w.lower() not in known]
    if missing:
        listed = ", ".join(sorted(known.values())[:20]) or "none"
        raise BadFilter(f"no articles from {', '.join(missing)} in the index; outlets: {listed}")
    return tuple(dict.fromkeys(known[w.lower()] for w in wanted))


def one_copy_per_story(passages: list[Passage], bm25: Bm25Index) -> list[Passage]:
    """The passages without those of a syndicated story's other copies (the best-ranked copy's
    passages stay), each naming the articles that carried its story too."""
    kept: dict[str, str] = {}
    found = []
    for passage in passages:
        story = bm25.story(passage.article_id) or passage.article_id
        if kept.setdefault(story, passage.article_id) == passage.article_id:
            found.append(replace(passage, also=tuple(bm25.copies(passage.article_id))))
    return found


def interleave(lists: list[list[Passage]]) -> list[Passage]:
    """Round-robin over ranked lists, best first, each passage once."""
    seen: set[str] = set()
    merged = []
    for rank in range(max((len(ranked) for ranked in lists), default=0)):
        for ranked in lists:
            if rank < len(ranked) and ranked[rank].node_id not in seen:
                seen.add(ranked[rank].node_id)
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
    for ranked, weight in zip(ranked_lists, weights or [1.0] * len(ranked_lists), strict=True):
        for rank, hit in enumerate(ranked):
            node_id = hit.node.node_id
            nodes.setdefault(node_id, hit.node)
            scores[node_id] = scores.get(node_id, 0.0) + weight / (k + rank + 1)
    order = sorted(scores, key=scores.__getitem__, reverse=True)
    return [NodeWithScore(node=nodes[i], score=scores[i]) for i in order]
