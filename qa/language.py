"""Is a question in English? The bundled embedder, the stemmer and the entity model are English-only.

langid (a small classifier that ships its model) decides; it takes seconds to load, so a question
whose words are mostly English function words or words of the archive is taken as English
without asking it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from bm25s.stopwords import STOPWORDS_EN

if TYPE_CHECKING:
    from langid.langid import LanguageIdentifier

_WORD = re.compile(r"[^\W\d_]+")
ENGLISH_SHARE = 0.3
KNOWN_SHARE = 0.8
CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)


def language(question: str, known: Callable[[str], bool] = lambda word: False) -> str:
    """The ISO 639-1 code of the question's language: "en" unless langid is confident otherwise.
    `known` tells the words of the archive's (English) vocabulary, which count as English."""
    words = _WORD.findall(question.lower())
    if not words or sum(w in STOPWORDS_EN for w in words) >= ENGLISH_SHARE * len(words):
        return "en"
    if sum(w in STOPWORDS_EN or known(w) for w in words) >= KNOWN_SHARE * len(words):
        return "en"
    code, probability = _identifier().classify(question)
    return str(code) if probability >= CONFIDENCE else "en"
