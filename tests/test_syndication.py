"""Syndicated copies: near-identical text from two outlets is one story; one outlet's template
reports, and texts that merely share words, are not."""

from __future__ import annotations

from qa.syndication import stories

WIRE = (
    "Ferry crews on the northern islands route will strike for 48 hours from Monday after talks on pay and rest "
    "periods broke down late on Friday, their union said. The union said 240 deck and engine crew would walk out, "
    "cancelling all 36 daily sailings between the mainland port and the three islands served by the route. "
)


def test_a_copy_from_another_outlet_joins_the_story_and_one_outlets_own_reports_do_not():
    existing = {"courier/ferry": (WIRE, "Coastal Courier", "")}
    joined = stories(
        {
            "gazette/ferry": (WIRE + "This story is from the wire service.", "Northern Gazette"),
            "courier/ferry-update": (WIRE + "Talks resume on Wednesday.", "Coastal Courier"),
            "gazette/bridge": ("The harbour bridge reopened on Thursday after a repair that took two years.", "Northern Gazette"),
        },
        existing,
    )
    assert joined == {"gazette/ferry": "courier/ferry"}
