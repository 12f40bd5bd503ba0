"""The one Settings object: every tunable of ingest, retrieval and answering, read from QA_* env vars."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_EMBED_MODEL = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Settings for one archive. Defaults work offline; each field can be set as QA_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    index_dir: Path = Field(Path(".qa"), description="Folder holding the Chroma store, docstore and BM25 index.")
    collection: str = Field("articles", description="Chroma collection name.")

    embed_model: str = Field(BUNDLED_EMBED_MODEL, description="Embedding model; the default ships in a package.")
    embed_batch_size: int = Field(32, ge=1)
    chunk_size: int = Field(256, ge=64, description="Chunk size in tokens, title/outlet/date header included.")
    chunk_overlap: int = Field(32, ge=0)

    top_k: int = Field(10, ge=1, description="Passages retrieved for each question.")
    candidates: int = Field(30, ge=1, description="Depth of the dense and BM25 lists before fusion.")

    answer_sentences: int = Field(3, ge=1, description="Most sentences the extractive answer quotes.")
    min_evidence: float = Field(
        0.70,
        description="Refuse below this sum of the best passage's cosine similarity to the question and the "
        "IDF-weighted share of the question's terms held by the best sentence (tuned on MultiHop-RAG dev).",
    )
    min_added_coverage: float = Field(
        0.15, ge=0, le=1, description="Least share of the question's terms a further quoted sentence must add."
    )

    def index_settings(self) -> dict[str, object]:
        """What an index is built with; opening it with other values needs a rebuild."""
        return {
            "embed_model": self.embed_model,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
        }
