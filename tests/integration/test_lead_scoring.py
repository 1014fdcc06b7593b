"""Lead scores kept by a real worker (docs/lead-scoring.md; migration 0051): a person opening a
tracked mail marks the lead it was sent to, in the event's own transaction, and queues
``lead_scoring.rescore``; the worker scores the lead anew with the open in its explanation. A rule
change rescores the whole workspace, and facts read from Postgres cover fields, custom fields,
replies, bookings, forms and activities."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.domain.lead_scoring import InvalidScoringRule, Rule
from server.services import lead_scoring
from server.services.accounts import Caller
from server.services.jobs import JobKinds
from server.storage.lead_scoring import PostgresLeadScores, PostgresScoringFacts, PostgresScoringRuleStore
from server.storage.migrations import migrate
from server.storage.unit import transactions
from server.worker import Worker
from tests.support.servers import settings_for
from tests.support.waiting import eventually


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(database_url, min_size=1, max_size=4) as made:
        await migrate(made)
        yield made


@pytest.fixture
async def world(pool: asyncpg.Pool) -> SimpleNamespace:
    workspace, admin = uuid4(), uuid4()
    await pool.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'w')", workspace)
    await pool.execute("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Ada', 'x')",
                       admin, f"{admin}@example.test")
    await pool.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'admin')",
                       workspace, admin)
    scoring = lead_scoring.LeadScoring(transactions(pool), PostgresScoringRuleStore(pool), PostgresLeadScores(pool),
                                       PostgresScoringFacts(pool))
    caller = Caller(admin, f"{admin}@example.test", "Ada", b"s", datetime.now(timezone.utc) + timedelta(hours=1))
    return SimpleNamespace(workspace=workspace, admin=admin, scoring=scoring, caller=caller, pool=pool)


async def add_lead(pool: asyncpg.Pool, workspace: UUID, email: str, *, source: str = "manual",
                   form: UUID | None = None) -> UUID:
    lead = uuid4()
    await pool.execute("INSERT INTO leads (id, workspace_id, title, email, source, form_id) VALUES ($1, $2, 't', $3,"
                       " $4, $5)", lead, workspace, email, source, form)
    return lead


async def sent_mail(pool: asyncpg.Pool, workspace: UUID, to: str) -> UUID:
    mail = uuid4()
    await pool.execute("INSERT INTO email_messages (id, workspace_id, message_id, thread_id, from_address,"
                       " to_addresses, sent_at, direction, visibility) VALUES ($1, $2, $3, $3, 'me@tandem.test',"
                       " ARRAY[$4], now(), 'out', 'everything')", mail, workspace, f"<{mail}@t>", to)
    await pool.execute("INSERT INTO email_tracking (email_id, workspace_id) VALUES ($1, $2)", mail, workspace)
    return mail


async def explanation(world: SimpleNamespace, lead: UUID) -> list[str]:
    found = await world.scoring.scores(world.caller, world.workspace, "lead", [lead])
    return [m.text for m in found[0].matched] if found else []


async def scores_of(world: SimpleNamespace, lead: UUID) -> list[int]:
    return [s.score for s in await world.scoring.scores(world.caller, world.workspace, "lead", [lead])]


async def test_an_open_of_a_tracked_mail_rescores_the_lead_through_the_job(world: SimpleNamespace,
                                                                             database_url: str) -> None:
    kinds = JobKinds()
    lead_scoring.register(kinds, world.scoring, sweep_cron="", daily_cron="")
    async with Worker(database_url, settings_for(database_url), "lead-scoring-test", kinds=kinds):
        lead = await add_lead(world.pool, world.workspace, "ann@acme.test")
        mail = await sent_mail(world.pool, world.workspace, "ann@acme.test")
        await eventually(lambda: _equal(scores_of(world, lead), [0]), timeout=30)  # scored on arrival: nothing
        await world.pool.execute("INSERT INTO email_events (email_id, kind) VALUES ($1, 'open'), ($1, 'open')", mail)
        await eventually(lambda: _equal(explanation(world, lead), ["opened 2 mail(s) in the last 14 days"]),
                         timeout=30)
        [stored] = await world.scoring.scores(world.caller, world.workspace, "lead", [lead])
        assert (stored.score, stored.matched[0].evidence) == (5, {"event": "opened", "count": 2, "days": 14})
        # A privacy proxy's fetch is not a person reading: nothing is marked.
        await world.pool.execute("INSERT INTO email_events (email_id, kind, proxy) VALUES ($1, 'click', true)", mail)
        assert await world.pool.fetchval("SELECT count(*) FROM lead_score_marks WHERE workspace_id = $1",
                                         world.workspace) == 0


async def test_a_rule_change_rescores_the_whole_workspace(world: SimpleNamespace, database_url: str) -> None:
    leads = [await add_lead(world.pool, world.workspace, f"p{i}@acme.test", source="web_form") for i in range(3)]
    await world.pool.execute("DELETE FROM lead_score_marks WHERE workspace_id = $1", world.workspace)
    rules = await world.scoring.rules(world.caller, world.workspace)
    assert rules.rules == rules.defaults
    with pytest.raises(InvalidScoringRule) as refused:
        await world.scoring.change(world.caller, world.workspace, [{"kind": "fit", "points": 500, "field": "source",
                                                                    "op": "is_set"}])
    assert refused.value.field == "rules[0].points"
    await world.scoring.change(world.caller, world.workspace, [{"kind": "fit", "points": 40, "field": "source",
                                                                "op": "equals", "values": ["web_form"]}])
    kinds = JobKinds()
    lead_scoring.register(kinds, world.scoring, sweep_cron="", daily_cron="")
    async with Worker(database_url, settings_for(database_url), "lead-scoring-rules", kinds=kinds):
        async def all_forty() -> bool:
            found = await world.scoring.scores(world.caller, world.workspace, "lead", leads)
            return [s.score for s in found] == [40, 40, 40]
        await eventually(all_forty, timeout=30)
    best = await world.scoring.scores(world.caller, world.workspace, "lead", [], least=40)
    assert sorted(s.subject_id for s in best) == sorted(leads)


async def test_facts_come_from_fields_custom_fields_replies_bookings_forms_and_activities(world: SimpleNamespace):
    pool, workspace = world.pool, world.workspace
    org = await pool.fetchval("INSERT INTO organisations (workspace_id, name, sort_name, search, fields) VALUES"
                              " ($1, 'Acme', 'acme', ''::tsvector, '{\"size\": 120}') RETURNING id", workspace)
    contact = await pool.fetchval(
        "INSERT INTO contacts (workspace_id, first_name, emails, organisation_id, address, fields, sort_name, search)"
        " VALUES ($1, 'Bo', ARRAY['bo@acme.test'], $2, '{\"country\": \"DE\"}', '{\"industry\": \"saas\"}', 'bo',"
        " ''::tsvector) RETURNING id", workspace, org)
    form = uuid4()
    lead = await add_lead(pool, workspace, "Bo@Acme.test", source="web_form", form=form)
    await pool.execute("INSERT INTO email_messages (workspace_id, message_id, thread_id, from_address, sent_at,"
                       " direction, visibility) VALUES ($1, 'r1', 'r1', 'bo@acme.test', now(), 'in', 'metadata')",
                       workspace)
    board = uuid4()
    await pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                       board, workspace)
    await pool.execute("INSERT INTO activities (board_id, activity_id, workspace_id, type, title, done, done_at,"
                       " contact_id) VALUES ($1, $2, $3, 'call', 'c', true, now(), $4)", board, uuid4(), workspace,
                       contact)
    link = await pool.fetchval("INSERT INTO booking_links (user_id, workspace_id, board_id, slug, time_zone, durations,"
                               " hours) VALUES ($1, $2, $3, $4, 'UTC', '{30}', '{}') RETURNING id", world.admin,
                               workspace, board, f"b-{uuid4().hex[:12]}")
    await pool.execute("INSERT INTO bookings (id, host_id, starts_at, ends_at, held_from, held_until, guest_name,"
                       " guest_email, link_id, link_user) VALUES ($1, $2, now() + interval '1 day', now() + interval"
                       " '1 day 30 minutes', now() + interval '1 day', now() + interval '1 day 30 minutes', 'Bo',"
                       " 'BO@acme.test', $3, $2)", uuid4(), world.admin, link)
    facts = await PostgresScoringFacts(pool).facts(workspace, "lead", [lead])
    got = facts[lead]
    assert got.fields["country"] == "DE" and got.fields["organisation.size"] == 120
    assert got.fields["custom.industry"] == "saas" and got.fields["email_domain"] == "acme.test"
    assert got.fields["source"] == "web_form"
    assert {k: len(v) for k, v in got.events.items()} == {"replied": 1, "form": 1, "activity": 1, "booked": 1}
    marked = await PostgresScoringFacts(pool).marked(workspace, 100)
    assert lead in marked.leads and contact in marked.contacts
    marks = await pool.fetch("SELECT email, contact_id FROM lead_score_marks WHERE workspace_id = $1", workspace)
    assert [tuple(m) for m in marks].count(("bo@acme.test", None)) == 2  # the reply and the booking
    assert [tuple(m) for m in marks].count((None, contact)) == 2  # made, then an activity with it done

    contact_facts = (await PostgresScoringFacts(pool).facts(workspace, "contact", [contact]))[contact]
    assert {k: len(v) for k, v in contact_facts.events.items()} == {"replied": 1, "form": 1, "activity": 1, "booked": 1}
    rules = [Rule("fit", 15, field="organisation.size", op="between", values=["50", "200"])]
    await world.scoring.rescore(workspace, "contact", [contact], rules)
    [stored] = await world.scoring.scores(world.caller, workspace, "contact", [contact])
    assert stored.score == 15 and stored.matched[0].text == "organisation.size is 120"


async def _equal(value: object, wanted: object) -> bool:
    return await value == wanted  # type: ignore[misc]


async def test_history_counts_won_and_lost_deals_by_their_contacts_fields(world: SimpleNamespace):
    pool, workspace = world.pool, world.workspace
    board = uuid4()
    await pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                       board, workspace)
    for country, status in (("DE", "won"), ("DE", "lost"), ("AT", "won"), ("FR", "lost"), ("FR", "open")):
        contact = await pool.fetchval(
            "INSERT INTO contacts (workspace_id, first_name, address, sort_name, search) VALUES ($1, 'x',"
            " jsonb_build_object('country', $2::text), 'x', ''::tsvector) RETURNING id", workspace, country)
        await pool.execute("INSERT INTO deals (board_id, card_id, workspace_id, title, contact_id, status, stage_id,"
                           " rank) VALUES ($1, $2, $3, 'd', $4, $5, $6, 'a')", board, uuid4(), workspace, contact,
                           status, uuid4())
    await world.scoring.change(world.caller, workspace, [{"kind": "fit", "points": 10, "field": "country",
                                                          "op": "one_of", "values": ["DE", "AT"]}])
    [history] = await world.scoring.history(world.caller, workspace)
    assert (history.matching.won, history.matching.lost, history.others.won, history.others.lost) == (2, 1, 0, 1)
    assert [(r.value, r.won, r.lost) for r in history.by_value] == [("de", 1, 1), ("at", 1, 0), ("fr", 0, 1)]
