"""One ``webhook.deliver`` attempt over the memory twins, with a scripted network (issue 16):
the guard runs again at delivery time on what the host resolves to *now* (DNS rebinding), the
POST goes to the address checked, redirects are not followed, and failures re-enqueue."""

from __future__ import annotations

import uuid

import pytest
from cryptography.fernet import Fernet

from server.sealing import FernetSealer, MissingKey
from server.services.ports.webhooks import Answer
from server.services.webhooks import DELIVER, Policy, WebhookService
from server.storage.memory.unit import MemoryDatabase, memory_begin


class Network:
    def __init__(self, addresses: list[str], answer: Answer = Answer(204, "")) -> None:
        self.addresses, self.answer = addresses, answer
        self.posts: list[tuple[str, str, dict[str, str]]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        return self.addresses

    async def post(self, url: str, address: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        self.posts.append((url, address, headers))
        return self.answer


async def setup(network: Network, **policy):
    begin = memory_begin(MemoryDatabase())
    sealer = FernetSealer(Fernet.generate_key().decode())
    service = WebhookService(begin, sealer, network, Policy(**policy))
    async with begin() as tx:
        hook = await tx.webhooks.insert(uuid.uuid4(), "https://hooks.example/in", ["deal.won"],
                                        sealer.seal(b"whsec_x"), None)
    job = {"webhook": str(hook.id), "delivery": str(uuid.uuid4()), "attempt": 1,
           "body": {"id": "e1", "event": "deal.won", "occurred_at": "2026-01-01T00:00:00+00:00",
                    "workspace_id": str(hook.workspace_id), "data": {}}}
    return begin, service, hook, job


async def test_a_host_that_resolves_to_loopback_at_delivery_time_is_not_posted_to():
    network = Network(["93.184.215.14", "127.0.0.1"])  # the name was public when subscribed
    begin, service, hook, job = await setup(network)
    await service.deliver(job)
    assert network.posts == []
    async with begin() as tx:
        [attempt] = await tx.webhooks.attempts(hook.id, 10)
        assert not attempt.delivered and attempt.status is None and "127.0.0.1" in attempt.error
        [retry] = await tx.jobs.waiting(DELIVER)
        assert retry.payload["attempt"] == 2 and retry.payload["delivery"] == job["delivery"]


async def test_the_post_connects_to_the_address_checked_and_a_redirect_is_a_failure():
    network = Network(["93.184.215.14"], Answer(302, ""))
    begin, service, hook, job = await setup(network, max_failures=1)
    await service.deliver(job)
    [(url, address, headers)] = network.posts
    assert (url, address) == ("https://hooks.example/in", "93.184.215.14")
    assert headers["X-Tandem-Event"] == "deal.won" and headers["X-Tandem-Delivery"] == job["delivery"]
    assert headers["X-Tandem-Signature"].startswith("t=")
    async with begin() as tx:
        [attempt] = await tx.webhooks.attempts(hook.id, 10)
        assert (attempt.status, attempt.delivered) == (302, False)
        got = await tx.webhooks.get(hook.id)
        assert not got.enabled and "1 failed deliveries in a row" in got.disabled_reason
        assert await tx.jobs.waiting(DELIVER) == [], "a disabled subscription is not tried again"


async def test_a_disabled_or_deleted_subscription_gets_nothing():
    network = Network(["93.184.215.14"])
    begin, service, hook, job = await setup(network)
    async with begin() as tx:
        await tx.webhooks.update(hook.id, enabled=False)
    await service.deliver(job)
    async with begin() as tx:
        await tx.webhooks.delete(hook.id)
    await service.deliver(job)
    assert network.posts == []


async def test_without_the_secret_key_the_job_raises_for_the_queue_and_the_subscription_is_not_blamed():
    network = Network(["93.184.215.14"])
    begin, _, hook, job = await setup(network)
    keyless = WebhookService(begin, FernetSealer(None), network, Policy())
    with pytest.raises(MissingKey, match="TANDEM_SECRET_KEY"):
        await keyless.deliver(job)
    assert network.posts == []
    async with begin() as tx:
        assert await tx.webhooks.attempts(hook.id, 10) == []
        assert (await tx.webhooks.get(hook.id)).failures == 0
