"""The ``EmailTemplates`` contract (a workspace's templates, one name per locale, seeded once) and the
``EmailTracking`` contract (opens and clicks of tracked messages only), over memory and Postgres."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from server.domain.email_templates import TemplateDraft
from server.domain.mailboxes import Filing
from server.storage.email_templates import PostgresEmailTemplates, PostgresEmailTracking
from server.storage.mailboxes import PostgresEmailMessages
from server.storage.memory.email_templates import MemoryEmailTemplates, MemoryEmailTracking
from server.storage.memory.mailboxes import MemoryEmailMessages
from tests.contract.test_mailboxes import email, incoming
from tests.support.units import backend

WELCOME = TemplateDraft("Welcome", "en", "Hi {{ contact.first_name }}", "<p>Hello</p>")


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, lambda conn: SimpleNamespace(t=PostgresEmailTemplates(conn)),
                       lambda db: SimpleNamespace(t=MemoryEmailTemplates(db))) as (begin, world):
        yield begin, world


async def test_templates_read_back_per_workspace_by_name(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        welcome = await tx.t.add(workspace, WELCOME, None)
        alpha = await tx.t.add(workspace, TemplateDraft("alpha", "de", "S", "B"), None)
        await tx.t.add(other, WELCOME, None)
    async with begin() as tx:
        assert [t.id for t in await tx.t.all(workspace)] == [alpha.id, welcome.id]
        got = await tx.t.get(workspace, welcome.id)
        assert (got.name, got.locale, got.subject, got.body, got.workspace_id) == (
            "Welcome", "en", "Hi {{ contact.first_name }}", "<p>Hello</p>", workspace)
        assert await tx.t.get(other, welcome.id) is None  # another workspace's id reads as absent
        assert await tx.t.get(workspace, uuid.uuid4()) is None


async def test_one_name_per_locale_on_adding_and_on_renaming(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        first = await tx.t.add(workspace, WELCOME, None)
        assert await tx.t.add(workspace, WELCOME, None) is None
        german = await tx.t.add(workspace, TemplateDraft("Welcome", "de", "Hallo", "B"), None)
        assert german is not None
        other = await tx.t.add(workspace, TemplateDraft("Other", "en", "S", "B"), None)
        assert await tx.t.update(workspace, other.id, WELCOME) is None  # taken by the first
        changed = await tx.t.update(workspace, first.id, TemplateDraft("Welcome", "en", "New", "<p>New</p>"))
        assert (changed.subject, changed.body) == ("New", "<p>New</p>")
        assert changed.updated_at >= first.updated_at


async def test_update_and_remove_only_touch_the_workspaces_own(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        made = await tx.t.add(workspace, WELCOME, None)
        assert await tx.t.update(other, made.id, TemplateDraft("X", "en", "S", "B")) is None
        assert await tx.t.remove(other, made.id) is False
        assert await tx.t.remove(workspace, made.id) is True
        assert await tx.t.remove(workspace, made.id) is False
        assert await tx.t.all(workspace) == []


async def test_first_seeding_answers_true_once_per_workspace(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        assert await tx.t.first_seeding(workspace) is True
    async with begin() as tx:
        assert await tx.t.first_seeding(workspace) is False
        assert await tx.t.first_seeding(other) is True


@pytest.fixture(params=["memory", "postgres"])
async def tracking(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url,
                       lambda conn: SimpleNamespace(t=PostgresEmailTracking(conn), emails=PostgresEmailMessages(conn)),
                       lambda db: SimpleNamespace(t=MemoryEmailTracking(db), emails=MemoryEmailMessages(db))) as pair:
        yield pair


async def test_only_a_tracked_message_counts_opens_and_clicks_in_order(tracking):
    begin, world = tracking
    workspace = await world.workspace()
    async with begin() as tx:
        tracked = await tx.emails.file(incoming(workspace, None, None, email("<t@x>")), Filing())
        untracked = await tx.emails.file(incoming(workspace, None, None, email("<u@x>")), Filing())
        await tx.t.track(tracked, workspace)
        await tx.t.track(tracked, workspace)  # twice is once
    async with begin() as tx:
        assert await tx.t.record(tracked, "open", None, False, "Thunderbird") is True
        assert await tx.t.record(tracked, "click", "https://a.test/x", False, "Firefox") is True
        assert await tx.t.record(tracked, "open", None, True, "GoogleImageProxy") is True
        assert await tx.t.record(untracked, "open", None, False, "Thunderbird") is False
    async with begin() as tx:
        events = await tx.t.events(tracked)
        assert [(e.kind, e.url, e.proxy, e.user_agent) for e in events] == [
            ("open", None, False, "Thunderbird"), ("click", "https://a.test/x", False, "Firefox"),
            ("open", None, True, "GoogleImageProxy")]
        assert await tx.t.events(untracked) is None
