"""Server processes the tests start on loopback (Dovecot, Radicale): wait until one listens, stop one."""

from __future__ import annotations

import asyncio
import subprocess

import pytest


async def listening(process: subprocess.Popen[bytes], name: str, host: str, port: int, timeout: float) -> None:
    """Return once ``process`` accepts connections on ``host:port``; fail with its stderr if it exits."""
    async with asyncio.timeout(timeout):
        while True:
            if process.poll() is not None:
                assert process.stderr is not None
                pytest.fail(f"{name} did not start: {process.stderr.read().decode()[-2000:]}")
            try:
                _, writer = await asyncio.open_connection(host, port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)  # polls under a deadline (another process starting)


def terminate(process: subprocess.Popen[bytes]) -> None:
    """Stop ``process``: SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
