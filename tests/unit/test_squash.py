"""``squash``: compaction through a ``Doc``, which must shrink history and never lose an update.

The hazard the checks in ``server/sync/updates.py`` exist for is pinned down first: a pycrdt
``Doc`` keeps an update whose dependencies are missing *pending*, and ``Doc.get_update()``
leaves pending structs and pending deletions out (Yjs's ``encodeStateAsUpdate`` keeps them).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool

import pytest
from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from server.storage.memory import documents as memory_module
from server.storage.memory import MemoryDocumentStore
from server.sync import updates as updates_module
from server.sync.updates import OFF_LOOP_BYTES, Squasher, merge, squash, squash_off_loop

EMPTY = b"\x00\x00"


# --- helpers ---------------------------------------------------------------------------------


def recorder(doc: Doc) -> list[bytes]:
    """Every update ``doc`` makes or takes from now on, as a log row would hold it."""
    log: list[bytes] = []
    doc.observe(lambda event: log.append(event.update))
    return log


def state_vector(doc: Doc) -> dict[int, int]:
    data, pos = doc.get_state(), 0

    def uint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    return {uint(): uint() for _ in range(uint())}


ROOTS: dict[str, type] = {"board": Map, "text": Text, "xml": XmlFragment, "list": Array}


def render(doc: Doc) -> dict[str, object]:
    """Every root this file creates, in a comparable form, plus the state vector."""
    board = doc.get("board", type=Map)
    return {
        "board": {key: ("subdoc", value.guid) if isinstance(value, Doc) else _py(value)
                  for key, value in board.items()},
        "text": doc.get("text", type=Text).diff(),
        "xml": str(doc.get("xml", type=XmlFragment)),
        "list": doc.get("list", type=Array).to_py(),
        "state": state_vector(doc),
    }


def _py(value: object) -> object:
    return value.to_py() if hasattr(value, "to_py") else value


def applied(*groups: Iterable[bytes]) -> dict[str, object]:
    doc = Doc()
    for group in groups:
        for update in group:
            doc.apply_update(update)
    return render(doc)


def completed(squashed: bytes, late: list[bytes]) -> dict[str, object]:
    """The document once the rows that were missing arrive (merged, as one update: applied one
    by one after out-of-order rows, yrs can leave a struct pending for good)."""
    return applied([merge([squashed, *late])])


def map_sets(count: int, key: str = "stage") -> list[bytes]:
    """A CRM field edited ``count`` times: one row per edit."""
    doc = Doc()
    board = doc.get("board", type=Map)
    log = recorder(doc)
    for i in range(count):
        board[key] = f"value {i}"
    return log


# --- the hazard, measured ----------------------------------------------------------------------


def test_a_bare_doc_drops_pending_structs_and_deletions_which_is_why_squash_checks():
    first = Doc()
    board = first.get("board", type=Map)
    log = recorder(first)
    board["a"] = 1
    board["a"] = 2  # its left origin is the first "a", which a reader may not have
    doc = Doc()
    doc.apply_update(log[1])
    assert doc.get_update() == EMPTY  # the second set is pending, and encoded as nothing

    writer = Doc()
    writer.get("text", type=Text).insert(0, "hello world")
    deleter = Doc()
    deleter.apply_update(writer.get_update())
    deletion = recorder(deleter)
    del deleter.get("text", type=Text)[0:6]
    doc = Doc()
    doc.apply_update(deletion[0])  # deletes items this doc has not seen
    assert doc.get_update() == EMPTY


# --- shrinking ---------------------------------------------------------------------------------


def test_ten_thousand_sets_of_one_key_squash_below_a_kilobyte():
    log = map_sets(10_000)
    merged, squashed = merge(log), squash(log)
    assert len(merged) > 100_000  # what compaction used to write: every value ever set
    assert len(squashed) < 1_000
    assert applied([squashed]) == applied([merged]) == applied(log)
    assert applied([squashed])["board"] == {"stage": "value 9999"}


def test_a_snapshot_and_new_rows_squash_and_a_squashed_snapshot_is_taken_as_is():
    log = map_sets(3_000)
    snapshot = squash(log[:2_000])
    assert len(snapshot) < 1_000
    assert squash([snapshot]) == snapshot
    again = squash([snapshot, *log[2_000:]])
    assert len(again) < 1_000
    assert applied([again]) == applied(log)


def test_a_merged_snapshot_from_before_squash_is_squashed_too():
    log = map_sets(2_000)
    legacy = merge(log[:1_500])
    squashed = squash([legacy, *log[1_500:]])
    assert len(squashed) < 1_000 and applied([squashed]) == applied(log)


# --- missing dependencies: nothing may be lost ------------------------------------------------


def test_rows_stored_out_of_causal_order_squash_completely():
    log = map_sets(50)
    rows = list(reversed(log))  # every row before the one it builds on
    squashed = squash(rows)
    assert applied([squashed]) == applied(log)
    assert len(squashed) < 200


def test_rows_in_an_order_a_doc_gets_wrong_one_by_one_squash_completely():
    doc = Doc()
    board = doc.get("board", type=Map)
    log = recorder(doc)
    board["k2"] = 1
    board["k0"] = 20
    board["k2"] = 7  # builds on the first row and deletes its value
    # applied one by one in reverse, pycrdt 0.14 ends with {"k0": 20}: the last set stays pending
    squashed = squash(list(reversed(log)))
    assert applied([squashed])["board"] == {"k0": 20, "k2": 7}
    assert b"\x3f\x80\x00\x00" not in squashed  # squashed through the Doc: the 1 is collected


def test_a_row_whose_dependency_is_missing_is_kept_whole():
    log = map_sets(10)
    present = log[:4] + log[5:]  # row 4 not (yet) visible: rows 5.. build on it
    squashed = squash(present)
    assert b"value 5" in squashed  # fell back to the lossless merge: even overwritten values stay
    assert completed(squashed, [log[4]]) == applied(log)


def test_a_client_update_referencing_a_lost_update_is_kept_and_completes_later():
    alice = Doc()
    alice.get("text", type=Text).insert(0, "hello")
    lost = alice.get_update()
    bob = Doc()
    bob.apply_update(lost)
    bob_log = recorder(bob)
    bob.get("text", type=Text).insert(5, " world")
    bob.get("board", type=Map)["stage"] = "won"
    squashed = squash([*map_sets(5, "owner"), *bob_log])
    after = completed(squashed, [lost])
    assert after["text"] == [("hello world", None)]
    assert after["board"] == {"owner": "value 4", "stage": "won"}


def test_a_deletion_of_items_not_yet_present_is_kept():
    writer = Doc()
    writer_log = recorder(writer)
    writer.get("text", type=Text).insert(0, "hello world")
    deleter = Doc()
    deleter.apply_update(writer.get_update())
    deletion = recorder(deleter)
    del deleter.get("text", type=Text)[0:6]
    alone = squash([*map_sets(3), *deletion])  # the deleted items are in no row it was given
    assert completed(alone, writer_log)["text"] == [("world", None)]
    # with the inserted items present, even after the deletion, it squashes and applies
    both = squash([*deletion, *writer_log])
    assert applied([both])["text"] == [("world", None)]
    assert b"hello" not in both  # went through the Doc: the deleted text is collected


def test_a_gap_in_one_clients_clocks_is_kept():
    log = map_sets(6, "k")
    present = [log[0], log[1], log[3], log[5]]
    squashed = squash(present)
    assert completed(squashed, [log[2], log[4]]) == applied(log)


def test_a_pending_struct_in_an_old_merged_snapshot_is_kept():
    log = map_sets(10)
    snapshot = merge(log[5:])  # merged by the old compaction while rows 0-4 were not visible
    squashed = squash([snapshot, *map_sets(3, "owner")])
    assert completed(squashed, log[:5])["board"] == {"stage": "value 9", "owner": "value 2"}


def test_a_deletion_of_an_unknown_client_in_the_snapshot_is_kept():
    writer = Doc()
    writer.get("list", type=Array).extend([1, 2, 3])
    inserted = writer.get_update()
    deleter = Doc()
    deleter.apply_update(inserted)
    deletion = recorder(deleter)
    del deleter.get("list", type=Array)[0]
    snapshot = merge([*map_sets(3), *deletion])  # an old merged snapshot holding the deletion
    squashed = squash([snapshot, *map_sets(2, "other")])
    assert completed(squashed, [inserted])["list"] == [2.0, 3.0]


# --- every kind of content ----------------------------------------------------------------------


def rich_history() -> list[bytes]:
    """Subdocs, formatted text with an embed, XML with attributes, arrays; edits and deletions."""
    doc = Doc()
    log = recorder(doc)
    board = doc.get("board", type=Map)
    text = doc.get("text", type=Text)
    xml = doc.get("xml", type=XmlFragment)
    items = doc.get("list", type=Array)
    note = Doc()
    board["note"] = note
    board["gone"] = Doc()
    del board["gone"]
    text.insert(0, "Quarterly review with Acme")
    text.format(0, 9, {"bold": True})
    text.insert_embed(10, {"image": "chart.png"})
    text.format(22, 4, {"link": "https://acme.example"})
    del text[11:18]
    text.insert(11, "call", {"italic": True})
    paragraph = XmlElement("p", {"class": "lead"})
    xml.children.append(paragraph)
    paragraph.children.append(XmlText("first draft"))
    paragraph.attributes["class"] = "body"
    xml.children.append(XmlElement("hr"))
    del xml.children[1]
    items.extend([1, 2, 3, {"deal": "acme"}])
    del items[1]
    items.insert(0, "head")
    for stage in ("lead", "qualified", "proposal", "won"):
        board["stage"] = stage
    board["deal"] = Map({"title": "Acme", "value": 1200})
    board["deal"]["value"] = 1500
    return log


def test_subdocs_formatted_text_xml_and_arrays_survive_squashing():
    log = rich_history()
    squashed = squash(log)
    assert applied([squashed]) == applied([merge(log)]) == applied(log)
    rendered = applied([squashed])
    assert rendered["board"]["note"][0] == "subdoc" and "gone" not in rendered["board"]
    assert rendered["xml"] == '<p class="body">first draft</p>'


def test_a_client_with_older_state_converges_with_a_squashed_snapshot():
    log = rich_history() + map_sets(500)
    prefix = len(log) // 3
    client = Doc()
    for update in log[:prefix]:
        client.apply_update(update)
    client_log = recorder(client)
    client.get("board", type=Map)["offline"] = "edit"  # made while disconnected
    client.get("text", type=Text).insert(0, "Re: ")

    server = Doc()
    server.apply_update(squash(log))
    # the y-protocols exchange: each side sends what the other's state vector lacks
    to_client = server.get_update(client.get_state())
    to_server = client.get_update(server.get_state())
    client.apply_update(to_client)
    server.apply_update(to_server)
    assert render(client) == render(server) == applied(log, client_log)
    # and a client holding the prefix plus the whole snapshot too
    late = Doc()
    for update in log[:prefix]:
        late.apply_update(update)
    late.apply_update(squash(log))
    assert render(late) == applied(log)


# --- random histories: squash equals merge, and anything missing can still arrive --------------


@pytest.mark.parametrize("seed", range(6))
def test_random_histories_lose_nothing_whatever_is_missing_or_reordered(seed: int):
    rng = random.Random(seed)
    peers = [Doc() for _ in range(4)]
    logs = [recorder(peer) for peer in peers]
    history: list[bytes] = []
    for _ in range(300):
        i = rng.randrange(len(peers))
        for update in rng.sample(history, min(len(history), 4)):  # partial, unordered sync
            peers[i].apply_update(update)
        logs[i].clear()
        random_edit(rng, peers[i])
        history += logs[i]  # what this peer's edit made: one row
    everything = applied(history)
    rows = history[:]
    rng.shuffle(rows)
    assert applied([squash(rows)]) == everything
    missing = set(rng.sample(range(len(rows)), 5))
    present = [row for i, row in enumerate(rows) if i not in missing]
    late = [row for i, row in enumerate(rows) if i in missing]
    assert completed(squash(present), late) == everything
    snapshot = squash(present[: len(present) // 2])
    assert completed(squash([snapshot, *present[len(present) // 2:]]), late) == everything


def random_edit(rng: random.Random, doc: Doc) -> None:
    board, text = doc.get("board", type=Map), doc.get("text", type=Text)
    items, xml = doc.get("list", type=Array), doc.get("xml", type=XmlFragment)
    choice = rng.random()
    if choice < 0.3:
        board[f"field{rng.randrange(6)}"] = rng.randrange(1000)
    elif choice < 0.45 and len(board):
        del board[rng.choice(list(board.keys()))]
    elif choice < 0.65:
        text.insert(rng.randrange(len(text) + 1), rng.choice(["ab", "c ", "deal "]),
                    rng.choice([None, {"bold": True}]))
    elif choice < 0.75 and len(text) > 2:
        start = rng.randrange(len(text) - 1)
        del text[start:start + 2]
    elif choice < 0.85:
        items.insert(rng.randrange(len(items) + 1), rng.randrange(100))
    elif choice < 0.9 and len(items):
        del items[rng.randrange(len(items))]
    else:
        xml.children.append(XmlElement("p", {"n": str(rng.randrange(9))}, [XmlText("x")]))


# --- off the event loop -------------------------------------------------------------------------


async def test_large_inputs_are_squashed_on_a_worker_thread(monkeypatch):
    threads: list[str] = []
    real: Callable[..., bytes] = updates_module.squash

    def spy(updates):
        threads.append(threading.current_thread().name)
        return real(updates)

    monkeypatch.setattr(updates_module, "squash", spy)
    small = map_sets(10)
    large = map_sets(3_000)
    assert sum(map(len, small)) < OFF_LOOP_BYTES < sum(map(len, large))
    assert await squash_off_loop(small) == real(small)
    squashed = await squash_off_loop(large)
    assert threads[0] == threading.current_thread().name != threads[1]
    assert applied([squashed]) == applied(large)


async def test_squashing_on_several_threads_at_once_gives_the_same_bytes():
    logs = [map_sets(2_000, f"key{i}") for i in range(4)]
    results = await asyncio.gather(*(asyncio.to_thread(squash, log) for log in logs))
    assert results == [squash(log) for log in logs]


async def test_the_memory_store_compacts_a_document_once_at_a_time_and_loses_nothing(monkeypatch):
    """A compaction awaiting its squash must not be overtaken by a later one (whose snapshot it
    would then overwrite with one lacking the rows the later one removed)."""
    release = asyncio.Event()
    calls: list[int] = []

    async def first_call_slow(parts):
        calls.append(len(parts))
        if len(calls) == 1:
            await release.wait()
        return squash(parts)

    monkeypatch.setattr(memory_module, "squash_off_loop", first_call_slow)
    store = MemoryDocumentStore()
    rows = map_sets(20)
    await store.append([("race", row) for row in rows[:10]])
    slow = asyncio.create_task(store.compact("race"))
    await asyncio.sleep(0)
    await store.append([("race", row) for row in rows[10:]])
    fast = asyncio.create_task(store.compact("race"))
    for _ in range(5):
        await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(slow, fast) == [10, 10]
    stored = await store.load("race")
    assert stored.log_rows == 0 and applied(stored.updates) == applied(rows)


# --- in a worker process --------------------------------------------------------------------------

FALLBACK = "squashing in the worker process failed; squashing on a thread instead"


async def worker_pid(squasher: Squasher) -> int:
    return await asyncio.get_running_loop().run_in_executor(squasher.executor(), os.getpid)


def fallbacks(caplog: pytest.LogCaptureFixture) -> int:
    return sum(record.getMessage() == FALLBACK for record in caplog.records)


async def test_a_squasher_squashes_large_inputs_in_a_worker_process_into_the_same_bytes():
    small, large, rich = map_sets(10), map_sets(3_000), rich_history() + map_sets(2_000, "owner")
    children = set(multiprocessing.active_children())
    async with Squasher() as squasher:
        assert await squasher.squash(small) == squash(small)
        assert set(multiprocessing.active_children()) == children  # small: inline, nothing started
        assert await squasher.squash(large) == squash(large)
        # the same document; not always the same bytes: two squashes of a history with several
        # clients, subdocs and deletions can order parts of the encoding differently, inline too
        assert applied([await squasher.squash(rich)]) == applied([squash(rich)]) == applied(rich)
        snapshot = squash(large[:2_000])
        assert await squasher.squash([snapshot, *large[2_000:]]) == squash([snapshot, *large[2_000:]])
        workers = set(multiprocessing.active_children()) - children
        assert len(workers) == 1 and (await worker_pid(squasher)) == workers.pop().pid != os.getpid()
    assert set(multiprocessing.active_children()) == children
    assert await squasher.squash(large) == squash(large)  # closed: on a thread, starting nothing
    assert set(multiprocessing.active_children()) == children


async def test_a_worker_killed_mid_squash_falls_back_to_a_thread_and_the_next_squash_starts_a_fresh_one(caplog):
    large = map_sets(3_000)
    loop = asyncio.get_running_loop()
    async with Squasher() as squasher:
        broken = squasher.executor()
        pid = await worker_pid(squasher)
        busy = loop.run_in_executor(broken, time.sleep, 60)  # holds the one worker
        squashing = asyncio.create_task(squasher.squash(large))
        await asyncio.sleep(0)
        assert not squashing.done()  # submitted, queued behind the sleep
        os.kill(pid, signal.SIGKILL)
        assert await squashing == squash(large)
        with pytest.raises(BrokenProcessPool):
            await busy
        assert fallbacks(caplog) == 1
        assert await squasher.squash(large) == squash(large)
        assert fallbacks(caplog) == 1  # squashed in the new worker
        assert squasher.executor() is not broken and await worker_pid(squasher) != pid


async def test_a_worker_that_exited_falls_back_to_a_thread_and_the_next_squash_starts_a_fresh_one(caplog):
    large = map_sets(3_000)
    async with Squasher() as squasher:
        broken = squasher.executor()
        with pytest.raises(BrokenProcessPool):
            await asyncio.get_running_loop().run_in_executor(broken, os._exit, 1)
        assert await squasher.squash(large) == squash(large)  # the broken pool refuses: a thread
        assert fallbacks(caplog) == 1
        assert await squasher.squash(large) == squash(large)
        assert fallbacks(caplog) == 1
        assert squasher.executor() is not broken


async def test_a_failing_call_in_the_worker_falls_back_and_keeps_the_worker(caplog):
    large = map_sets(3_000)
    async with Squasher() as squasher:
        executor = squasher.executor()
        pid = await worker_pid(squasher)

        class Local(bytes):  # a local class cannot be pickled: the call fails on its way there
            pass

        with caplog.at_level(logging.ERROR, logger="server.sync.updates"):
            assert await squasher.squash([*large[:-1], Local(large[-1])]) == squash(large)
        assert fallbacks(caplog) == 1
        assert await squasher.squash(large) == squash(large)
        assert squasher.executor() is executor and await worker_pid(squasher) == pid


async def test_the_memory_store_compacts_through_a_squasher():
    rows = map_sets(3_000)
    async with Squasher() as squasher:
        store = MemoryDocumentStore(squasher)
        await store.append([("big", row) for row in rows])
        assert await store.compact("big") == len(rows)
        stored = await store.load("big")
        assert stored.updates == [squash(rows)]


WORKER_OF_A_KILLED_SERVER = """
import asyncio, os
from server.sync.updates import Squasher

async def main():
    squasher = Squasher()
    print(await asyncio.get_running_loop().run_in_executor(squasher.executor(), os.getpid), flush=True)
    os.kill(os.getpid(), 9)  # as kill -9 would: nothing shuts the worker down

if __name__ == "__main__":
    asyncio.run(main())
"""


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_worker_exits_when_its_server_is_killed():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with subprocess.Popen([sys.executable, "-c", WORKER_OF_A_KILLED_SERVER], cwd=root,
                          stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        worker = int(server.stdout.readline())
        assert server.wait(timeout=60) == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)  # polls under the deadline above (no event tells a foreign process ended)
    if running(worker):
        os.kill(worker, signal.SIGKILL)
        raise AssertionError(f"the worker {worker} outlived its server")
