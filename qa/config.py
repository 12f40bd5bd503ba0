"""The one Settings object: every tunable of ingest, retrieval and answering, read from QA_* env vars."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qa.errors import BadRequest, redacted

BUNDLED_EMBED_MODEL = "all-MiniLM-L6-v2"
UPLOADS = "uploads"


class Settings(BaseSettings):
    """Settings for one archive. Defaults work offline; each field can be set as QA_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore", populate_by_name=True)

    index_dir: Path = Field(Path(".qa"), description="Folder holding the Chroma store, docstore and BM25 index.")
    collection: str = Field("articles", description="Chroma collection name.")
    chroma_url: str | None = Field(
        None,
        description="A Chroma server (`chroma run`), e.g. http://127.0.0.1:8000, to use instead of the store in the "
        "index folder; the folder then only caches the docstore and BM25 index, rebuilt from the server.",
    )

    host: str = Field("127.0.0.1", description="Address the web chat listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web chat listens on.")
    auth_token: SecretStr | None = Field(
        None,
        description="Access token: the web chat asks for it at login, and every API call must send it as "
        "`Authorization: Bearer <token>`. Needed to serve on an address other than loopback.",
    )
    allow_anonymous: bool = Field(
        False, description="Serve on an address other than loopback without QA_AUTH_TOKEN (anyone who can reach it may use it)."
    )
    allowed_hosts: str = Field(
        "",
        description="Host names the server answers to besides its own address, comma-separated (a proxy's public "
        "name); on loopback, requests naming any other host are refused, which stops DNS rebinding.",
    )
    uploads: Literal["on", "off"] = Field("on", description="Whether the web chat accepts article uploads.")
    max_upload_mb: float = Field(10.0, gt=0, description="Largest uploaded file, in MiB.")
    max_upload_files: int = Field(20, ge=1, description="Most files in one upload.")
    upload_quota_mb: float = Field(200.0, gt=0, description="Most MiB the index folder's uploads/ may hold in all.")

    fetch_timeout: float = Field(20.0, gt=0, description="Seconds a fetched page or feed may take in all.")
    fetch_max_mb: float = Field(5.0, gt=0, description="Largest page or feed fetched, in MiB.")
    fetch_host_interval: float = Field(
        1.0, ge=0, description="Least seconds between two requests to one host (robots.txt's Crawl-delay when longer)."
    )
    fetch_retries: int = Field(2, ge=0, description="Retries, with backoff, of a fetch the server answers with 5xx or 429.")
    fetch_max_redirects: int = Field(5, ge=0, description="Most redirects a fetch follows.")
    refresh_every: float = Field(
        0.0,
        ge=0,
        description="How often `qa serve` refreshes the feeds in the background: seconds, or 90s, 30m, 2h; 0 leaves it off.",
    )

    @field_validator("refresh_every", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        """A duration as seconds, or with a unit: 90s, 30m, 2h."""
        if not isinstance(value, str):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", value.lower())
        if match is None:
            raise ValueError("a duration such as 90s, 30m or 2h, or a number of seconds")
        return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]

    refresh_seconds: float = Field(
        2.0, ge=0, description="How often an open archive checks Chroma for another process's finished ingest."
    )

    lock_timeout: float = Field(
        600.0, ge=0, description="Seconds an ingest waits for another ingest of the same index folder to finish."
    )

    embed_model: str = Field(
        BUNDLED_EMBED_MODEL,
        description="Embedding model: the bundled default, or openai:<model> for a model on the OpenAI-compatible "
        "server of the LLM settings.",
    )
    embed_batch_size: int = Field(32, ge=1)
    chunk_size: int = Field(
        512, ge=64, description="Chunk size in tokens, title/outlet/date header included (tuned on MultiHop-RAG dev)."
    )
    chunk_overlap: int = Field(32, ge=0)

    top_k: int = Field(10, ge=1, description="Passages retrieved for each question.")
    max_k: int = Field(100, ge=1, description="Most passages a question may ask to retrieve (its k).")
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted, in characters.")
    candidates: int = Field(30, ge=1, description="Depth of the dense and BM25 lists before fusion.")

    dense_weight: float = Field(
        0.25, ge=0, description="Weight of the dense list in fusion (tuned on MultiHop-RAG dev: BM25 ranks best there)."
    )
    keyword_weight: float = Field(1.0, ge=0, description="Weight of the BM25 list in fusion (0: dense only).")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant: lower favours the top of each list.")
    date_weight: float = Field(
        1.0,
        ge=0,
        description="Fusion weight of a BM25 list of the articles published on the days or in the months the "
        "question names (0: off).",
    )
    outlet_analysis: bool = Field(
        True, description="Retrieve per outlet named in the question and interleave (unless an outlet filter is set)."
    )

    reranker: str | None = Field(
        None, description="A sentence-transformers cross-encoder (its folder) that reorders the fused passages; off when unset."
    )
    rerank_depth: int = Field(20, ge=1, description="Passages of each fused list the reranker rescores.")

    outlet_overfetch: int = Field(
        4,
        ge=1,
        description="When the question names outlets, the dense query fetches this many times `candidates`, "
        "unfiltered, and keeps each outlet's own (a filtered Chroma query is slow on large collections).",
    )
    refuse_foreign_outlets: bool = Field(
        True, description="Refuse a question that asks about an outlet the archive has no articles from."
    )

    answer_sentences: int = Field(3, ge=1, description="Most sentences the extractive answer quotes.")
    min_evidence: float = Field(
        0.60,
        description="Refuse below this sum of the best passage's cosine similarity to the question and the "
        "IDF-weighted share of the question's terms held by the best sentence (tuned on MultiHop-RAG dev).",
    )
    min_added_coverage: float = Field(
        0.15, ge=0, le=1, description="Least share of the question's terms a further quoted sentence must add."
    )

    answerer: Literal["extractive", "llm"] = Field(
        "extractive", description="extractive: quoted sentences, offline; llm: an OpenAI-compatible model."
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name on the LLM server.")
    llm_base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("QA_LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible server (OPENAI_BASE_URL); unset means OpenAI itself.",
    )
    llm_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("QA_LLM_API_KEY", "OPENAI_API_KEY"), description="API key (OPENAI_API_KEY)."
    )
    llm_timeout: float = Field(
        60.0, gt=0, description="Seconds an answer from the LLM server may take in all, however slowly it streams."
    )
    max_answer_chars: int = Field(20_000, ge=100, description="Longest answer accepted from the LLM server, in characters.")
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_max_retries: int = Field(2, ge=0, description="Retries on connection errors and rate limits.")

    @property
    def uploads_dir(self) -> Path:
        """Where the web chat keeps uploaded article files: `uploads/` in the index folder."""
        return Path(self.index_dir) / UPLOADS

    def check_request(self, question: str, k: object = None) -> None:
        """Raise BadRequest when the question is empty or longer than max_question_chars, or `k`
        (as a client sent it) is not a whole number from 1 to max_k."""
        if not question.strip():
            raise BadRequest("the question is empty")
        if len(question) > self.max_question_chars:
            raise BadRequest(
                f"the question is {len(question):,} characters long; the limit is {self.max_question_chars:,} "
                "(QA_MAX_QUESTION_CHARS)"
            )
        if k is not None and (type(k) is not int or not 1 <= k <= self.max_k):
            raise BadRequest(f"k (passages to retrieve) must be from 1 to {self.max_k} (QA_MAX_K), not {str(k)[:20]!r}")

    @classmethod
    def default(cls, name: str) -> object:
        """A field's default, for help texts."""
        return cls.model_fields[name].default

    def index_settings(self) -> dict[str, object]:
        """What an index is built with; opening it with other values needs a rebuild."""
        return {
            "embed_model": self.embed_model,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
        }

    def describe(self) -> dict[str, object]:
        """The settings a run's results depend on, for reports: the LLM's only when it answers,
        never the API key or where the index lives."""
        skip = {"index_dir", "host", "port", "llm_api_key", "llm_base_url", "auth_token"}
        if self.answerer != "llm":
            skip |= {name for name in type(self).model_fields if name.startswith("llm_")}
        described = self.model_dump(mode="json", exclude=skip)
        if self.chroma_url:
            described["chroma_url"] = redacted(self.chroma_url)
        return described
