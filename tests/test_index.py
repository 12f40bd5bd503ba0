"""The index's dense query: filters in, typed hits out, Chroma's dialect kept inside."""

from __future__ import annotations

from datetime import date

from qa.embeddings import load_embed_model
from qa.types import DenseHit, Filters


def embedding(archive, text: str) -> list[float]:
    return load_embed_model(archive.settings).get_query_embedding(text)


def test_a_dense_query_returns_hits_nearest_first_with_outlet_and_similarity(seeded):
    hits = seeded.index.dense(embedding(seeded, "engineers replaced corroded cables on the bridge"), 3)
    assert len(hits) == 3 and all(isinstance(h, DenseHit) for h in hits)
    assert hits[0].source == "Coastal Courier" and 0 < hits[0].similarity <= 1
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)


def test_a_dense_query_keeps_to_the_filters(seeded):
    query = embedding(seeded, "apples frost harbour Moscow")
    spring = seeded.index.dense(query, 10, Filters(since=date(2024, 3, 1), until=date(2024, 4, 30)))
    valley = seeded.index.dense(query, 10, Filters(sources=("Valley Times",)))
    both = seeded.index.dense(query, 10, Filters(since=date(2024, 4, 1), sources=("Valley Times", "MENAFN")))
    assert {h.source for h in spring} == {"Coastal Courier", "Valley Times"}
    assert valley and {h.source for h in valley} == {"Valley Times"}
    assert {h.source for h in both} == {"Valley Times", "MENAFN"}
