"""The board document of scenario D: 10,000 deals, built once with pycrdt (~1.3 MB as an update).

A ``Map`` ``deals`` of 10,000 ``Map``s, one per deal, with the fields a CRM board card shows
(title, value, stage, owner).
Deterministic (seeded), so every run and every server gets the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

from pycrdt import Doc, Map

STAGES = ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
OWNERS = ["ada", "grace", "linus", "margaret", "ken", "barbara", "edsger", "frances"]
WORDS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
         "cyberdyne", "soylent", "aperture", "vandelay", "massive", "dynamic", "pied", "piper"]


def build_board(deals: int = 10_000, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    doc = Doc()
    board = doc.get("deals", type=Map)
    with doc.transaction():
        for i in range(deals):
            company = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}"
            board[f"deal-{i:05d}"] = Map({
                "title": company,
                "value": rng.randrange(1_000, 500_000),
                "stage": rng.choice(STAGES),
                "owner": rng.choice(OWNERS),
            })
    return doc.get_update()


def write_board(path: Path) -> int:
    data = build_board()
    path.write_bytes(data)
    return len(data)


if __name__ == "__main__":
    import sys
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "board.bin")
    print(f"{out}: {write_board(out)} bytes")
