"""A small newsroom of articles written for the answer tests: each one carries a trap the issue
names (the answer only in the title, a sentence that echoes the question, a heading, a season or
a year next to the one asked about)."""

from __future__ import annotations

from pathlib import Path

ARTICLES = {
    "chipmakers.md": """---
title: Chipmakers open research offices in the harbour district
date: 2024-02-02
source: Harbour Business
---
Nvidia, Intel and Arm opened research offices in the harbour district this winter.
Arm chief executive Rene Haas said the new office would employ 200 engineers by next year.
Arm signed a lease of 12 years on the former customs house, where 40 desks are ready.
""",
    "sportsbook.md": """---
title: Caesars Sportsbook promo code brings a welcome bonus for new bettors
date: 2023-11-20
source: Wager Weekly
---
New customers can get up to $1000 in bonus bets if they lose their first bet.
The offer is open to players in twelve states and expires at the end of the month.
""",
    "remaster.md": """---
title: The film returns to theaters for its anniversary
date: 2023-02-10
source: Screen Daily Post
---
Who directed Titanic (25th Anniversary Re-release) (2023)?
The anniversary release was directed by James Cameron, who also oversaw the new 3D conversion.
Tickets went on sale on Monday.
""",
    "league.md": """---
title: League leadership through the decades
date: 2023-09-01
source: Gridiron Ledger
---
NFL Commissioners and Presidents.
Roger Goodell has served as NFL commissioner since 2006, succeeding Paul Tagliabue.
""",
    "drama.md": """---
title: Casting news for the royal drama
date: 2022-08-15
source: Screen Daily Post
---
Marisol Vantreeck will play the duchess in season 3 of The Palace, the streaming service said on Monday.
Filming begins in October in Lisbon.
""",
    "prize.md": """---
title: Glass sculptor wins the Harbourside Prize
date: 2021-06-03
source: Arts Courier
---
The 2021 Harbourside Prize went to the glass sculptor Odile Ferrant for her work Tidewater.
The jury praised the piece as the boldest in the prize's history.
""",
    "aid.md": """---
title: European allies weigh support for Ukraine
date: 2023-12-07
source: Continental Desk
---
Germany pledged 4,000 additional air-defence missiles to Ukraine in December 2023, the defence ministry said.
European leaders voiced anxiety about the pace of support ahead of the winter.
""",
    "carol.md": """---
title: Veteran actor to play Scrooge
date: 2023-10-02
source: Stage Notes
---
The Welsh actor Owen Teale has been cast as Scrooge in the Melbourne season of A Christmas Carol.
Performances begin in November at the Comedy Theatre.
""",
    "panto.md": """---
title: Pantomime season opens in London
date: 2023-10-09
source: Stage Notes
---
The London pantomime season opens with a new production of Cinderella at the Palladium.
Tickets for the Christmas shows are selling fast.
""",
}


def write_newsdesk(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text)
    return folder
