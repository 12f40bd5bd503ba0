"""A few hundred generated articles, for tests that need an ingest long enough to interrupt."""

from __future__ import annotations

import json
from pathlib import Path

_SYLLABLES = "ka lo mi ren tu sa vor el din pa qui zo ber lan tes ov".split()


def place(i: int) -> str:
    """A made-up town name, different for each i below 4096."""
    return (_SYLLABLES[i % 16] + _SYLLABLES[(i // 16) % 16] + _SYLLABLES[(i // 256) % 16]).capitalize()


def write_bulk(folder: Path, n: int = 300) -> Path:
    """n articles as one JSONL file; every tenth is long enough to make several chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        town = place(i)
        body = (
            f"The council of {town} approved a new footbridge over the river on its {i}th session. "
            f"Residents of {town} had asked for the crossing for years, and the works start in spring."
        )
        if i % 10 == 0:
            body += " " + " ".join(
                f"Paragraph {p} of the {town} report lists budget line {p * 7} for lamps, rails and signs." for p in range(60)
            )
        lines.append(
            json.dumps(
                {
                    "title": f"{town} approves a footbridge",
                    "body": body,
                    "source": "Bulk Gazette",
                    "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "url": f"https://bulk.example/{i}",
                }
            )
        )
    (folder / "bulk.jsonl").write_text("\n".join(lines) + "\n")
    return folder
