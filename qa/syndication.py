"""Syndicated copies: one wire story carried by several outlets, found when it is ingested by
MinHash over word shingles (datasketch's MinHash and MinHashLSH).

Each article that is a near-copy (estimated Jaccard similarity of its 5-word shingles at least
THRESHOLD) of one already in the index, or of one ingested with it, joins that article's story:
its chunks carry the story's id (Meta.STORY), so that retrieval keeps one copy of a story and a
citation names every outlet that carried it. Only an article's lead (its first LEAD_WORDS words)
is compared: copies share their lead, and it keeps each signature cheap (about 4 ms; every
article of the index is signed again at each ingest that embeds something, since signatures
are not stored: 2.5 s for 609 articles, minutes at 50,000). The
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


def stories(new: Mapping[str, tuple[str, str]], existing: Mapping[str, tuple[str, str, str]]) -> dict[str, str]:
    """The story each new article (id: (text, outlet)) joins, for those that copy an article of
    another outlet, existing (id: (text, outlet, its story id or "")) or new before them; an
    article that copies none is its own story and is left out. LSH's candidates are checked
    against the estimated similarity, and a story holds one article per outlet: one outlet's
    articles are never copies of each other (a daily report written from one template is not
    syndication). (datasketch is imported here,
    when an ingest has articles to compare.)"""
    from datasketch import MinHashLSH

    index = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS)
    story_of: dict[str, str] = {}
    signatures: dict[str, MinHash] = {}
    outlet_of: dict[str, str] = {}
    carried: dict[str, set[str]] = {}
    for article_id, (text, outlet, story) in existing.items():
        signatures[article_id] = _signature(text)
        index.insert(article_id, signatures[article_id])
        story_of[article_id], outlet_of[article_id] = story or article_id, outlet
        carried.setdefault(story_of[article_id], set()).add(outlet)
    joined: dict[str, str] = {}
    for article_id, (text, outlet) in new.items():
        signature = _signature(text)
        copies = [
            other
            for other in index.query(signature)
            if other != article_id
            and outlet not in carried[story_of[other]] - ({outlet_of[article_id]} if article_id in existing else set())
            and signature.jaccard(signatures[other]) >= THRESHOLD
        ]
        story_of[article_id] = min(story_of[other] for other in copies) if copies else article_id
        carried.setdefault(story_of[article_id], set()).add(outlet)
        if copies:
            joined[article_id] = story_of[article_id]
        if article_id not in existing:
            index.insert(article_id, signature)
            signatures[article_id], outlet_of[article_id] = signature, outlet
    return joined
