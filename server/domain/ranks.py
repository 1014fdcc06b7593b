"""Order within a column: fractional indexing, base-62 strings (``a0`` < ``a0V`` < ``a1``).

Keys come from the ``fractional-indexing`` package, the Python port of the npm
``fractional-indexing`` package the browser app uses (the same keys for the same calls), so a
rank made by either side sorts the same everywhere. Order is (rank, id): concurrent moves to the
same place may produce equal ranks, and the id then breaks the tie on every client alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from fractional_indexing import FIError, generate_key_between, generate_n_keys_between, validate_order_key


def is_rank(raw: object) -> bool:
    """Whether ``raw`` is a fractional index key that ``rank_between`` can work with."""
    if not isinstance(raw, str) or not raw or len(raw) > 200:
        return False
    try:
        validate_order_key(raw)
    except (FIError, IndexError, ValueError, KeyError):
        return False
    return True


def first_ranks(n: int) -> list[str]:
    """Ranks for ``n`` items in a new, empty list: ``a0``, ``a1``, ..."""
    return generate_n_keys_between(None, None, n)


def rank_at(ranks: Sequence[str], index: int | None) -> str:
    """A rank that puts an item at ``index`` among items ordered by ``ranks`` (``None``: at the end).

    Neighbours that are not valid keys count as absent. Where the neighbours share one rank (two
    concurrent moves), no key fits strictly between them: the item goes just after all items of
    that rank instead.
    """
    count = len(ranks)
    index = count if index is None else max(0, min(index, count))
    before = _valid(ranks[index - 1]) if index > 0 else None
    after = _valid(ranks[index]) if index < count else None
    if before is not None and after is not None and before >= after:
        after = next((r for r in ranks[index:] if _valid(r) and r > before), None)
    return generate_key_between(before, after)


def _valid(rank: str) -> str | None:
    return rank if is_rank(rank) else None
