"""The BM25 index is built a page of chunks at a time, and finds what llama-index's own
BM25Retriever finds when given all the chunks at once."""

import pytest
from llama_index.core.schema import QueryBundle, TextNode
from llama_index.retrievers.bm25 import BM25Retriever

from qa.lexicon import Bm25Index
from qa.text import STEMMER

TEXTS = [
    "Putin met the Hungarian prime minister in Moscow for talks on gas supplies.",
    "The central bank raised interest rates for the third time this year.",
    "A new phone from Apple sold out within hours of its release.",
    "Regulators opened an investigation into the merger of two airlines.",
    "The striker scored twice as the home side won the derby.",
    "Gas prices fell after the talks in Moscow ended without a deal.",
    "",
    "Apple and Google were both fined by the European Commission.",
    "Interest in electric cars rose as battery prices fell.",
]
QUESTIONS = ["talks in Moscow about gas", "Apple fined", "interest rates", "derby striker", "zeppelin"]


def chunks() -> list[TextNode]:
    return [
        TextNode(
            id_=f"chunk-{i}", text=text, metadata={"source": "Wire" if i % 2 else "Daily", "published_ts": 1_700_000_000 + i}
        )
        for i, text in enumerate(TEXTS)
    ]


def ranking(hits) -> list[tuple[str, float]]:
    return [(hit.node.node_id, round(hit.score, 6)) for hit in hits]


@pytest.mark.parametrize("page_size", [1, 4, len(TEXTS)])
def test_paged_build_finds_what_llama_index_builds_at_once(page_size):
    nodes = chunks()
    index = Bm25Index.build(nodes[i : i + page_size] for i in range(0, len(nodes), page_size))
    reference = BM25Retriever(nodes=nodes, stemmer=STEMMER, language="en", similarity_top_k=len(nodes))

    assert index is not None and index.size == len(nodes)
    for question in QUESTIONS:
        expected = [hit for hit in reference.retrieve(QueryBundle(question)) if hit.score > 0]
        assert ranking(index.search(question, k=len(nodes))) == ranking(expected)
    assert ranking(index.search("talks in Moscow about gas", k=2))[0][0] in {"chunk-0", "chunk-5"}
    assert index.search("zeppelin", k=5) == []


def test_a_chunk_comes_back_whole_by_id_and_nothing_builds_nothing():
    index = Bm25Index.build([chunks()[:3], chunks()[3:]])

    chunk = index.node("chunk-2")
    assert chunk.text == TEXTS[2] and chunk.metadata["source"] == "Daily"
    assert index.node("chunk-99") is None
    assert index.sources == ["Daily", "Wire"]
    assert Bm25Index.build([]) is None
    assert Bm25Index.build([[], []]) is None
