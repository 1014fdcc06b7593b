"""Handing freed memory back to the OS after rooms close (issue 13, item 8): when the trimmer
releases, and that this machine's C library can."""

from __future__ import annotations

import asyncio
import threading

from server.memory import Trimmer, release_free_memory
from tests.support.waiting import eventually


class Releases:
    """A fake ``release``: counts calls and the threads they ran on; ``gate`` holds one open."""

    def __init__(self) -> None:
        self.threads: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self) -> bool:
        self.threads.append(threading.current_thread().name)
        self.gate.wait(5)
        return True


async def test_it_releases_once_per_change_and_never_while_nothing_closed() -> None:
    unloads = [0]
    release = Releases()
    trimmer = Trimmer(lambda: unloads[0], release)
    trimmer(0.0)
    assert release.threads == [] and not trimmer.due, "nothing closed since it was made"
    unloads[0] = 3
    assert trimmer.due
    trimmer(1.0)
    await eventually(lambda: trimmer.trims == 1)
    trimmer(2.0)
    trimmer(3.0)
    assert len(release.threads) == 1 and not trimmer.due
    assert release.threads[0] != threading.main_thread().name, "released off the event loop's thread"


async def test_a_change_while_a_release_runs_is_released_after_it() -> None:
    unloads = [1]
    release = Releases()
    trimmer = Trimmer(lambda: unloads[0], release)
    unloads[0] = 2
    release.gate.clear()
    trimmer(0.0)
    await eventually(lambda: len(release.threads) == 1)
    unloads[0] = 3
    trimmer(1.0)  # the first still runs: not a second one at once
    assert len(release.threads) == 1 and trimmer.due
    release.gate.set()
    await eventually(lambda: trimmer.trims == 1)
    trimmer(2.0)
    await eventually(lambda: trimmer.trims == 2)
    assert not trimmer.due


def test_this_c_library_can_release_free_memory() -> None:
    assert release_free_memory(), "no malloc_trim in this C library: closed rooms' pages would stay resident"
