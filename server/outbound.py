"""``HttpReceivers``: webhook deliveries over HTTP (httpx), to an address resolved and checked first.

httpx was a test dependency only; it is a main dependency now because it lets a request connect to
an address given in advance while TLS still verifies the URL's host (``sni_hostname``), which the
SSRF guard needs (server/domain/webhooks.py), and it follows no redirect unless asked.
"""

from __future__ import annotations

import asyncio
import socket

import httpx

from server.services.ports.webhooks import Answer

SNIPPET = 500


class HttpReceivers:
    """Implements ``server.services.ports.webhooks.Receivers``."""

    async def resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            return []
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    async def post(self, url: str, address: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        target = httpx.URL(url)
        pinned = target.copy_with(host=address)
        host = target.host if target.port is None else f"{target.host}:{target.port}"
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=timeout) as client:
            response = await client.post(pinned, content=body, headers={**headers, "Host": host},
                                         extensions=extensions)
        return Answer(response.status_code, response.text[:SNIPPET])
