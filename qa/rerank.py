"""The optional reranking stage: a sentence-transformers cross-encoder rescoring the fused passages.

Off by default: no cross-encoder ships in a package, and the archive never downloads a model at run
time. Set QA_RERANKER to a cross-encoder's folder (or a name already in the local model cache).
"""

from __future__ import annotations

from functools import lru_cache

from llama_index.core.postprocessor import SentenceTransformerRerank
from llama_index.core.schema import NodeWithScore

from qa.errors import UnknownReranker
from qa.imports import needing


@lru_cache(maxsize=2)
def load_reranker(name: str) -> SentenceTransformerRerank:
    """Load a cross-encoder once per process, from disk only."""
    try:
        with needing():
            return SentenceTransformerRerank(model=name, top_n=1_000_000, device="cpu", trust_remote_code=False)
    except (OSError, ValueError) as error:
        raise UnknownReranker(
            f"reranker {name!r} could not be loaded offline ({type(error).__name__}); "
            "set QA_RERANKER to a cross-encoder's folder, or unset it"
        ) from None


def rerank(name: str, question: str, ranked: list[NodeWithScore], depth: int) -> list[NodeWithScore]:
    """The top `depth` of a ranked list in the cross-encoder's order, then the rest as they were."""
    head = load_reranker(name).postprocess_nodes(
        [NodeWithScore(node=h.node, score=h.score) for h in ranked[:depth]], query_str=question
    )
    return [NodeWithScore(node=h.node, score=float(h.score or 0.0)) for h in head] + ranked[depth:]
