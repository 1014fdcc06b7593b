"""The rep comparison's explanation (``server.domain.rep_compare``): gaps ranked by relative size
weighted by volume, tiny samples left out and counted, ties in a stable order, sentences in
English and German with the locale's numbers."""

from __future__ import annotations

from uuid import UUID, uuid4

from server.domain.rep_compare import Cell, Figure, explain, formatted, gaps, relative_gap

MIA, TOM, ANA = uuid4(), uuid4(), uuid4()
NAMES = {MIA: "Mia", TOM: "Tom", ANA: "Ana"}


def figure(key: str, base: tuple[float, int], of: str | None = None, **cells: tuple[float, int]) -> Figure:
    people: dict[str, UUID] = {"mia": MIA, "tom": TOM, "ana": ANA}
    return Figure(key, {people[k]: Cell(*v) for k, v in cells.items()}, Cell(*base), of)


def test_a_gap_is_relative_to_the_baseline_and_capped():
    assert relative_gap(0.62, 0.41) == (0.62 - 0.41) / 0.41
    assert relative_gap(30, 2) == 3.0
    assert relative_gap(1, 0) == 3.0 and relative_gap(0, 0) == 0.0


def test_a_wide_gap_on_few_deals_ranks_below_a_modest_one_on_many():
    rows = [figure("conversion", (0.4, 100), "Proposal → Negotiation", mia=(0.8, 6)),  # +100 % on 6: 2.45
            figure("median_days", (4.0, 100), "Qualified", tom=(6.0, 40))]  # +50 % on 40: 3.16
    ranked, left_out = gaps(rows, NAMES)
    assert [(g.name, g.figure.key) for g in ranked] == [("Tom", "median_days"), ("Mia", "conversion")]
    assert left_out == 0


def test_gaps_on_fewer_deals_than_the_cut_off_are_left_out_and_counted():
    rows = [figure("win_rate", (0.3, 50), mia=(0.9, 4), tom=(0.1, 5)), figure("win_rate", (0.3, 3), ana=(0.9, 20))]
    ranked, left_out = gaps(rows, NAMES)
    assert [g.name for g in ranked] == ["Tom"]
    assert left_out == 2, "Mia's 4 deals and Ana's baseline of 3"
    assert [g.name for g in gaps(rows, NAMES, min_sample=3)[0]] == ["Ana", "Mia", "Tom"]


def test_no_gap_no_value_and_no_baseline_say_nothing():
    rows = [figure("win_rate", (0.3, 50), mia=(0.3, 20)), figure("win_rate", (None, 0), tom=(0.5, 20)),
            figure("per_won", (1.0, 50), "calls", ana=(None, 0))]
    assert gaps(rows, NAMES) == ([], 0)


def test_ties_keep_the_larger_sample_then_the_name_then_the_figures_order():
    # the same score: +100 % on 9 deals (3.0) and +50 % on 36 deals (3.0)
    rows = [figure("per_won", (1.0, 80), "meetings", tom=(2.0, 9), mia=(2.0, 9)),
            figure("per_won", (1.0, 80), "calls", ana=(1.5, 36)),
            figure("per_open", (1.0, 80), "calls", ana=(2.0, 9))]
    ranked, _ = gaps(rows, NAMES)
    assert [(g.name, g.figure.key, g.figure.of) for g in ranked] == [
        ("Ana", "per_won", "calls"), ("Ana", "per_open", "calls"), ("Mia", "per_won", "meetings"),
        ("Tom", "per_won", "meetings")]


def test_the_sentences_carry_the_numbers_in_english_and_german():
    rows = [figure("conversion", (0.41, 120), "Proposal → Negotiation", mia=(0.62, 13)),
            figure("median_days", (4.0, 120), "Qualified", tom=(9.0, 12)),
            figure("per_won", (0.8, 60), "meetings", ana=(2.1, 9))]
    en = [g["text"] for g in explain(rows, NAMES, "team", "en")["gaps"]]
    de = [g["text"] for g in explain(rows, NAMES, "team", "de")["gaps"]]
    # Ana +163 % on 9 (4.9), Tom +125 % on 12 (4.3), Mia +51 % on 13 (1.8)
    assert en == ["Ana logs 2.1 meetings per won deal (team 0.8; 9 won deals)",
                  "Tom needs 9 days in Qualified (team median 4; 12 deals)",
                  "Mia converts Proposal → Negotiation at 62% (team 41%; 13 deals)"]
    assert de == ["Ana erfasst 2,1 Termine pro gewonnenem Deal (Team 0,8; 9 gewonnene Deals)",
                  "Tom braucht 9 Tage in Qualified (Team-Median 4; 12 Deals)",
                  "Mia bringt Proposal → Negotiation auf 62 % (Team 41 %; 13 Deals)"]


def test_lost_reasons_and_money_read_in_each_language():
    rows = [figure("lost_share", (0.2, 40), "Price", tom=(0.5, 10)),
            figure("lost_share", (0.1, 40), None, mia=(0.4, 10)),
            figure("average_won", (8000.0, 40), "EUR", ana=(12500.0, 10))]
    en = {g["owner"]: g["text"] for g in explain(rows, NAMES, "workspace", "en")["gaps"]}
    de = {g["owner"]: g["text"] for g in explain(rows, NAMES, "workspace", "de")["gaps"]}
    assert en[TOM] == "50% of Tom's lost deals give “Price” (all reps 20%; 10 lost deals)"
    assert en[MIA] == "40% of Mia's lost deals give no reason (all reps 10%; 10 lost deals)"
    assert en[ANA] == "Ana's average won deal is 12,500 EUR (all reps 8,000 EUR; 10 won deals)"
    assert de[TOM] == "Tom: 50 % der verlorenen Deals nennen „Price“ (alle 20 %; 10 verlorene Deals)"
    assert de[ANA] == "Der durchschnittliche gewonnene Deal von Ana: 12.500 EUR (alle 8.000 EUR; 10 gewonnene Deals)"


def test_numbers_follow_the_locale():
    assert formatted(1234.56, "count", "en") == "1,234.6" and formatted(1234.56, "count", "de") == "1.234,6"
    assert formatted(3.0, "days", "de") == "3" and formatted(30.4, "hours", "en") == "30"
    assert formatted(0.626, "ratio", "en") == "63%" and formatted(0.626, "ratio", "de") == "63 %"
