"""create_task's round robin over a team (its members as they are at each run) and schedule
triggers read in the rule's time zone (docs/automations.md).

Real Postgres; one server for the module whose in-process worker runs the automation jobs. The
cron sweep is off: the schedule test runs ``AutomationRunner.sweep`` itself with a clock set to
the moments it checks, and the server's worker runs the ``automation.fire`` jobs it queues.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from server.services.automation_runner import AutomationRunner
from server.storage.unit import transactions
from tests.support.accounts import AUTH, add_member, create_workspace, sign_up, team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)
MIGRATION = Path(__file__).parents[2] / "schema" / "migrations" / "0045_automation_schedule_zone.sql"


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", automation_settle_seconds=1.0,
                            automation_sweep_cron="", housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def until(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    return await eventually(check, timeout=30.0, every=0.1, what=what)


async def runs_of(server: InProcessServer, who, rule: dict, count: int) -> list[dict]:
    """The rule's finished runs, oldest first, once there are ``count``."""
    async def finished() -> list[dict]:
        runs = [r for r in await ok(server, who, "GET", rule["runs"]) if r["status"] not in ("running", "waiting")]
        return runs if len(runs) >= count else []

    return list(reversed(await until(finished, f"{count} finished runs")))


async def assigned_for(server: InProcessServer, t, rule: dict, titles: list[str], done: int) -> list[str | None]:
    """Make a deal per title, one after the other (each run ends before the next deal): the assignees."""
    for i, title in enumerate(titles, start=1):
        await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": title})
        await runs_of(server, t.owner, rule, done + i)
    runs = (await runs_of(server, t.owner, rule, done + len(titles)))[done:]
    return [run["results"][0]["result"]["assignee"] if run["status"] == "succeeded" else run["error"] for run in runs]


async def test_a_team_round_robin_rotates_over_its_current_members_and_follows_the_team(server):
    t = await team(server.http_url)
    ws = f"/api/workspaces/{t.workspace}"
    max_ = await add_member(server.http_url, t.owner, t.workspace, "member", "Max Member")
    sales = await ok(server, t.owner, "POST", f"{ws}/teams", json={"name": "Sales",
                                                                   "members": [t.member.id, max_.id]})
    outsider = await sign_up(server.http_url, "Outsider")
    elsewhere = await create_workspace(server.http_url, outsider, "Elsewhere")
    theirs = await ok(server, outsider, "POST", f"/api/workspaces/{elsewhere}/teams", json={"name": "Sales"})
    trigger = {"type": "deal_created", "board": t.board["id"]}
    refused = await call(server, t.owner, "POST", f"{ws}/automations", json={
        "name": "Theirs", "trigger": trigger,
        "actions": [{"type": "create_task", "title": "x", "assignee": {"round_robin_team": theirs["id"]}}]})
    assert refused.status_code == 422 and refused.json()["field"] == "actions[0].assignee.round_robin_team"
    rule = await ok(server, t.owner, "POST", f"{ws}/automations", json={
        "name": "Sales calls", "trigger": trigger,
        "actions": [{"type": "create_task", "title": "Call {{deal.title}}",
                     "assignee": {"round_robin_team": sales["id"]}}]})

    first = await assigned_for(server, t, rule, ["One", "Two", "Three", "Four"], 0)
    assert first[:2] in ([t.member.id, max_.id], [max_.id, t.member.id]) and first[2:] == first[:2], first

    await ok(server, t.owner, "PATCH", f"{ws}/teams/{sales['id']}", json={
        "name": "Sales", "members": [t.member.id, max_.id, t.owner.id]})
    await ok(server, t.owner, "DELETE", f"{ws}/members/{max_.id}")  # Max leaves; still listed in the team
    after = await assigned_for(server, t, rule, ["Five", "Six", "Seven", "Eight"], 4)
    assert sorted(after) == sorted([t.member.id, t.member.id, t.owner.id, t.owner.id]), after
    assert after[0] != after[1] and after[1] != after[2], "turns alternate between the two left"

    await ok(server, t.owner, "PATCH", f"{ws}/teams/{sales['id']}", json={"name": "Sales", "members": []})
    [empty] = await assigned_for(server, t, rule, ["Nine"], 8)
    assert "team has no members" in empty, empty
    [failed] = (await runs_of(server, t.owner, rule, 9))[8:]
    assert failed["status"] == "failed" and failed["results"][0]["ok"] is False, failed


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


async def test_a_schedule_fires_at_its_local_time_on_both_sides_of_the_dst_switch(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/automations"
    notify = [{"type": "notify", "user": t.member.id, "message": "Weekly review"}]
    berlin = await ok(server, t.owner, "POST", base, json={
        "name": "Monday 09:00 Berlin", "trigger": {"type": "schedule", "cron": "0 9 * * 1",
                                                   "time_zone": "Europe/Berlin"}, "actions": notify})
    assert berlin["trigger"]["time_zone"] == "Europe/Berlin"
    legacy = await ok(server, t.owner, "POST", base, json={
        "name": "Monday 09:00 from before zones", "trigger": {"type": "schedule", "cron": "0 9 * * 1"},
        "actions": notify})
    assert legacy["trigger"]["time_zone"] == "UTC", "the owner chose no zone"
    async with server.services.pool.acquire() as conn:
        await conn.execute("UPDATE automation_rules SET created_at = '2026-03-01T00:00:00Z' WHERE id = ANY($1::uuid[])",
                           [UUID(berlin["id"]), UUID(legacy["id"])])
        await conn.execute("UPDATE automation_rules SET trigger = trigger - 'time_zone' WHERE id = $1",
                           UUID(legacy["id"]))  # as stored before schedules had zones
        await conn.execute(MIGRATION.read_text())  # what the migration did to rules made before it
        assert await conn.fetchval("SELECT trigger->>'time_zone' FROM automation_rules WHERE id = $1",
                                   UUID(legacy["id"])) == "UTC"

    async def sweep_at(now: datetime) -> None:
        services = server.services
        await AutomationRunner(transactions(services.pool), services.rooms, services.projector,
                               clock=lambda: now).sweep({})

    moments = [at(2026, 3, 23, 7, 59), at(2026, 3, 23, 8, 0, 30), at(2026, 3, 23, 9, 0, 30),  # CET: 09:00 is 08:00
               at(2026, 3, 30, 6, 59), at(2026, 3, 30, 7, 0, 30), at(2026, 3, 30, 9, 0, 30)]  # CEST: 07:00
    for moment in moments:
        await sweep_at(moment)
        await sweep_at(moment)  # a second sweep adds nothing

    berlin_runs = await runs_of(server, t.owner, berlin, 3)
    legacy_runs = await runs_of(server, t.owner, legacy, 3)
    ticks = sorted(r["trigger"]["tick"] for r in berlin_runs)
    # 07:59 on the 23rd still sees the last tick before it (16 March, 08:00 UTC = 09:00 CET), once
    assert ticks == ["2026-03-16T08:00:00+00:00", "2026-03-23T08:00:00+00:00", "2026-03-30T07:00:00+00:00"], ticks
    assert sorted(r["trigger"]["tick"] for r in legacy_runs) == [
        "2026-03-16T09:00:00+00:00", "2026-03-23T09:00:00+00:00", "2026-03-30T09:00:00+00:00"]
    assert all(r["status"] == "succeeded" for r in berlin_runs + legacy_runs)


async def test_the_schedule_preview_answers_the_next_runs_and_refuses_an_unknown_zone(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/automations/schedule-preview"
    preview = await ok(server, t.viewer, "GET", base, params={"cron": "0 9 * * 1", "time_zone": "Europe/Berlin"})
    assert preview["time_zone"] == "Europe/Berlin" and len(preview["next_runs"]) == 3
    for run in preview["next_runs"]:
        local = datetime.fromisoformat(run).astimezone(ZoneInfo("Europe/Berlin"))
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0), run
    wrong = await call(server, t.viewer, "GET", base, params={"cron": "0 9 * * 1", "time_zone": "Berlin"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "time_zone", wrong.text
    bad_cron = await call(server, t.viewer, "GET", base, params={"cron": "0 25 * * *", "time_zone": "UTC"})
    assert bad_cron.status_code == 422 and bad_cron.json()["field"] == "cron", bad_cron.text
