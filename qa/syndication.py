"""Syndicated copies: one wire story carried by several outlets, found when it is ingested by
MinHash over word shingles (datasketch's MinHash and MinHashLSH).

Each article that is a near-copy (estimated Jaccard similarity of its 5-word shingles at least
THRESHOLD) of one already in the index, or of one ingested with it, joins that article's story:
its chunks carry the story's id (Meta.STORY), so that retrieval keeps one copy of a story and a
citation names every outlet that carried it. Only an article's lead (its first LEAD_WORDS words)
is compared: copies share their lead, and it keeps an ingest into a large index quick. The
shingles are hashed with Python's own string hash: signatures are compared within one run and
never stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE_WORDS = 5
LEAD_WORDS = 500
PERMUTATIONS = 128
THRESHOLD = 0.6
_WORD = re.compile(r"\w+")


def _hash(shingle: str) -> int:
    return hash(shingle) & 0xFFFFFFFF


def _signature(text: str) -> MinHash:
    from datasketch import MinHash

    words = _WORD.findall(text.lower())[:LEAD_WORDS]
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    signature = MinHash(num_perm=PERMUTATIONS, hashfunc=_hash)
    signature.update_batch(list(shingles))
    return signature


def stories(new: Mapping[str, str], existing: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """The story each new article (id: text) joins, for those that copy an existing article (id:
    (text, its story id or "")) or a new one before them; an article that copies none is its own
    story and is left out. (datasketch is imported here, when an ingest has articles to compare.)"""
    from datasketch import MinHashLSH

    index = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS)
    story_of: dict[str, str] = {}
    for article_id, (text, story) in existing.items():
        index.insert(article_id, _signature(text))
        story_of[article_id] = story or article_id
    joined: dict[str, str] = {}
    for article_id, text in new.items():
        signature = _signature(text)
        copies = [other for other in index.query(signature) if other != article_id]
        story_of[article_id] = min(story_of[other] for other in copies) if copies else article_id
        if copies:
            joined[article_id] = story_of[article_id]
        if article_id not in existing:
            index.insert(article_id, signature)
    return joined
