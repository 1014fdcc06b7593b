"""@mentions, followed deals, notification settings and the e-mail digest (issue 18 item 3).

A team (owner, member, viewer), a guest the board is shared with, a guest of another board and an
outsider; notes are written as a browser writes them — a Yjs update with Tiptap's mention nodes,
posted to the note document. Real Postgres, a real SMTP relay (aiosmtpd) and the in-process worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from client.crm import open_note
from server.domain.notifications import Notification
from server.services.notify import DIGEST, said, send_digests
from server.services.mail import QueuedOutbox
from server.storage.unit import transactions
from tests.support.accounts import AUTH, Account, add_guest, create_board, sign_up, create_workspace, team
from tests.support.crm import call, ok, projected
from tests.support.crm import stages as stages_of
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)

MINE = "/api/me/notifications"
SENDER = "crm@tandem.test"


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def server(module_database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", smtp_url=sink.url, mail_from=SENDER,
                            housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def mention(server: InProcessServer, who: Account, document: str, *people: Account, text: str = "see ") -> None:
    """Append a paragraph mentioning ``people`` to the note, as the editor in a browser does."""
    async with httpx.AsyncClient(base_url=server.http_url, headers=who.headers) as http:
        state = await http.get(f"/api/documents/{document}")
        assert state.status_code == 200, state.text
        doc = Doc()
        doc.apply_update(state.content)
        before = doc.get_state()
        paragraph = doc.get("content", type=XmlFragment).children.append(XmlElement("paragraph"))
        paragraph.children.append(XmlText(text))
        for person in people:
            paragraph.children.append(XmlElement("mention", {"id": person.id, "label": person.name}))
        sent = await http.post(f"/api/documents/{document}/updates", content=doc.get_update(before))
        assert sent.status_code == 204, sent.text


async def kinds(server: InProcessServer, who: Account, kind: str) -> list[dict[str, Any]]:
    return [n for n in (await ok(server, who, "GET", MINE))["notifications"] if n["kind"] == kind]


async def deal_and_note(server: InProcessServer, who: Account, board: dict[str, Any], **deal: Any) -> tuple[dict, dict]:
    card = await ok(server, who, "POST", f"/api/boards/{board['id']}/cards", json={"title": "Acme renewal", **deal})
    note = await ok(server, who, "POST", "/api/notes", json={"subject_kind": "deal", "subject_id": card["id"],
                                                             "board": board["id"], "title": "Call notes"})
    return card, note


async def test_a_mention_notifies_the_mentioned_member_once_and_nobody_without_access(server):
    t = await team(server.http_url)
    guest = await add_guest(server.http_url, t.owner, t.board, "read", "Gina Guest")
    other_board = await create_board(server.http_url, t.owner, t.workspace, "Other")
    elsewhere = await add_guest(server.http_url, t.owner, other_board, "edit", "Olga Other")
    outsider = await sign_up(server.http_url, "Otto Outsider")
    await create_workspace(server.http_url, outsider, "Elsewhere")
    card, note = await deal_and_note(server, t.owner, t.board)

    people = await ok(server, t.owner, "GET", f"/api/boards/{t.board['id']}/mentionable")
    assert {p["name"] for p in people} == {"Mia Member", "Vic Viewer", "Gina Guest"}, "members and the board's guests"
    await mention(server, t.owner, note["document"], t.member, elsewhere, outsider)
    await projected(server)
    [mentioned] = await eventually(lambda: kinds(server, t.member, "mentioned"), what="the member's mention")
    assert (mentioned["message"], mentioned["board_id"], mentioned["card_id"]) == (
        "“Call notes”", t.board["id"], card["id"])
    assert mentioned["actor"] == t.owner.name, "the mention names who wrote it"
    for nobody in (elsewhere, outsider, t.owner, t.viewer, guest):
        assert await kinds(server, nobody, "mentioned") == [], "only the mentioned member, who reaches the board"

    await mention(server, t.member, note["document"], t.member, elsewhere, text="again ")
    await mention(server, t.owner, note["document"], guest)
    await projected(server)
    await eventually(lambda: kinds(server, guest, "mentioned"), what="the guest of the board's mention")
    assert len(await kinds(server, t.member, "mentioned")) == 1, "a mention notifies once"
    assert await kinds(server, elsewhere, "mentioned") == []
    refused = await call(server, outsider, "GET", f"/api/boards/{t.board['id']}/mentionable")
    assert refused.status_code == 404

    removed = await call(server, t.owner, "DELETE", f"/api/workspaces/{t.workspace}/members/{t.viewer.id}")
    assert removed.status_code == 204, removed.text
    await mention(server, t.owner, note["document"], t.viewer, text="too late ")
    await projected(server)
    assert await kinds(server, t.viewer, "mentioned") == [], "a removed member is not told"
    assert "Vic Viewer" not in {p["name"] for p in await ok(server, t.owner, "GET",
                                                            f"/api/boards/{t.board['id']}/mentionable")}


async def test_a_mention_written_over_the_socket_names_its_author_who_is_never_told_of_it(server):
    t = await team(server.http_url)
    _, note = await deal_and_note(server, t.owner, t.board)
    # Mia types in the note editor (a live socket): she mentions Olivia, Vic and herself.
    async with open_note(server.ws_url, note["document"], token=t.member.token) as live:
        doc = live.session.doc
        with doc.transaction():
            paragraph = doc.get("content", type=XmlFragment).children.append(XmlElement("paragraph"))
            paragraph.children.append(XmlText("ask "))
            for person in (t.owner, t.viewer, t.member):
                paragraph.children.append(XmlElement("mention", {"id": person.id, "label": person.name}))
        await live.session.durable()
    await projected(server)
    for who in (t.owner, t.viewer):
        [got] = await eventually(lambda who=who: kinds(server, who, "mentioned"), what="the mention")
        assert got["actor"] == t.member.name and got["message"] == "“Call notes”"
    assert await kinds(server, t.member, "mentioned") == [], "nobody is told of their own mention"
    # E-mails and the digest say it in words.
    [got] = [Notification(n["id"], t.owner.id, n["workspace_id"], n["message"], None, None, n["created_at"], None,
                          n["kind"], n["actor"]) for n in await kinds(server, t.owner, "mentioned")]
    assert said(got) == f"{t.member.name} mentioned you in: “Call notes”"


async def test_settings_decide_whether_a_mention_arrives_in_the_bell_by_mail_or_not_at_all(server, sink):
    t = await team(server.http_url)
    _, note = await deal_and_note(server, t.owner, t.board)
    path = "/api/me/notification-settings"
    assert (await ok(server, t.member, "GET", path))["channels"]["mentioned"] == "in_app"
    off = await ok(server, t.member, "PUT", path, json={"channels": {"mentioned": "off"}, "time_zone": "Europe/Berlin"})
    assert (off["channels"]["mentioned"], off["channels"]["reminder"], off["mail_configured"]) == ("off", "in_app", True)
    await mention(server, t.owner, note["document"], t.member)
    await projected(server)
    assert await kinds(server, t.member, "mentioned") == [], "off: nothing"

    await ok(server, t.viewer, "PUT", path, json={"channels": {"mentioned": "email"}})
    await mention(server, t.owner, note["document"], t.viewer)
    await projected(server)
    [bell] = await eventually(lambda: kinds(server, t.viewer, "mentioned"), what="the viewer's mention")
    [mail] = await eventually(lambda: [m for m in sink.messages if m["To"] == t.viewer.email
                                       and m["Subject"].startswith("Tandem:")], what="the mention by e-mail")
    assert mail["Subject"] == f"Tandem: {t.owner.name} mentioned you in: {bell['message']}"

    wrong = await call(server, t.member, "PUT", path, json={"channels": {"mentioned": "pigeon"}})
    assert wrong.status_code == 400 and "mentioned" in wrong.text
    wrong = await call(server, t.member, "PUT", path, json={"channels": {}, "time_zone": "Mars/Olympus"})
    assert wrong.status_code == 400 and "time_zone" in wrong.text


async def test_followers_of_a_deal_hear_of_its_stage_changes_and_its_end_but_not_the_one_who_did_it(server):
    t = await team(server.http_url)
    board = t.board["id"]
    card = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards",
                    json={"title": "Globex", "owner": t.member.id})
    await projected(server)
    follow = f"/api/boards/{board}/deals/{card['id']}/follow"
    assert await ok(server, t.member, "GET", follow) == {"following": True, "owner": True}, "the owner follows"
    assert await ok(server, t.viewer, "GET", follow) == {"following": False, "owner": False}
    assert await ok(server, t.viewer, "PUT", follow, json={"following": True}) == {"following": True, "owner": False}
    stages = [s for s in await stages_of(server, t.owner, t.workspace, board) if s["kind"] == "open"]
    await ok(server, t.owner, "POST", f"/api/boards/{board}/cards/{card['id']}/move", json={"stage": stages[1]["stage"]})
    await projected(server)
    for follower in (t.member, t.viewer):
        [moved] = await eventually(lambda: kinds(server, follower, "deal_changed"), what="the stage change")
        assert moved["message"] == f"Globex: moved to {stages[1]['name']}" and moved["card_id"] == card["id"]
    assert await kinds(server, t.owner, "deal_changed") == [], "not the one who moved it"

    assert await ok(server, t.member, "PUT", follow, json={"following": False}) == {"following": False, "owner": True}
    await ok(server, t.owner, "POST", f"/api/boards/{board}/cards/{card['id']}/status", json={"status": "won"})
    await projected(server)
    await eventually(lambda: count_is(kinds(server, t.viewer, "deal_changed"), 2), what="the win")
    assert [n["message"] for n in await kinds(server, t.viewer, "deal_changed")][0] == "Globex: won"
    assert len(await kinds(server, t.member, "deal_changed")) == 1, "the owner stopped following"
    missing = await call(server, t.viewer, "GET", f"/api/boards/{board}/deals/{t.board['id']}/follow")
    assert missing.status_code == 404


async def count_is(found: Any, count: int) -> bool:
    return len(await found) == count




async def test_an_activity_given_to_someone_notifies_them_but_not_one_they_made_for_themselves(server):
    t = await team(server.http_url)
    activities = f"/api/boards/{t.board['id']}/activities"
    await ok(server, t.owner, "POST", activities, json={"type": "call", "title": "Call Initech", "assignee": t.member.id})
    await ok(server, t.member, "POST", activities, json={"type": "call", "title": "Mine", "assignee": t.member.id})
    await projected(server)
    [assigned] = await eventually(lambda: kinds(server, t.member, "assigned"), what="the assignment")
    assert assigned["message"] == "Call Initech"


async def test_the_digest_lists_unread_notifications_since_the_last_and_is_sent_once_per_period(server, sink):
    t = await team(server.http_url)
    _, note = await deal_and_note(server, t.owner, t.board)
    await ok(server, t.member, "PUT", "/api/me/notification-settings",
             json={"channels": {}, "digest": "hourly", "time_zone": "Europe/Berlin"})
    await mention(server, t.owner, note["document"], t.member)
    await projected(server)
    await eventually(lambda: kinds(server, t.member, "mentioned"), what="the mention")

    begin = transactions(server.services.pool)
    async with begin() as tx:  # the job run twice in one hour: one digest
        for _ in range(2):
            await tx.jobs.enqueue(DIGEST, {})

    def digests() -> list:
        return [m for m in sink.messages if m["To"] == t.member.email and "unread" in m["Subject"]]

    [digest] = await eventually(digests, what="the digest")
    assert digest["Subject"] == "Tandem: 1 unread notification"
    assert "mentioned you in: “Call notes”" in digest.get_body(("plain",)).get_content()

    async def drained() -> bool:
        async with begin() as tx:
            return not await tx.jobs.waiting(DIGEST)

    await eventually(drained, what="both digest jobs to run")
    outbox = QueuedOutbox(SENDER)
    async with begin() as tx:
        next_hour = datetime.now(timezone.utc) + timedelta(hours=1)
        assert await send_digests(tx, outbox, next_hour) == 0, "nothing new since the last digest"
    assert len(digests()) == 1
