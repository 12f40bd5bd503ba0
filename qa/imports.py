"""Importing libraries without the heavy optional packages they import eagerly and qa never uses
through them.

thinc (under spaCy) imports PyTorch at import time in case a model wraps a PyTorch layer; the
small English pipeline has none, and PyTorch costs 1.7 s. NLTK's package init imports SciPy's
statistics for one collocation measure; qa uses NLTK only for Punkt, and SciPy's statistics cost
0.8 s. Hiding a package while the library is imported makes the library take its own "not
installed" path; the package stays importable afterwards for whoever needs it (ingest loads
PyTorch for the embedder). A package already imported is not hidden.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_HIDING = threading.RLock()


@contextmanager
def without(*packages: str) -> Iterator[None]:
    """Imports in this block see `packages` as not installed, unless they are imported already."""
    with _HIDING:
        hidden = [name for name in packages if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]
        try:
            yield
        finally:
            for name in hidden:
                if sys.modules.get(name, ...) is None:
                    del sys.modules[name]


@contextmanager
def needing() -> Iterator[None]:
    """Hold while loading what imports the packages `without` hides (the embedder and the
    reranker import PyTorch, SciPy and scikit-learn): hiding is process-wide, so another thread of
    a server must not import them while spaCy or NLTK is being imported with them hidden."""
    with _HIDING:
        yield
