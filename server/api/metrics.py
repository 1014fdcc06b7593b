"""``GET /metrics``: this node's engine counters in the Prometheus text format.

Read at scrape time from the engine's plain counters (``server.sync.stats``, the committer and
the bus), so the hot path pays nothing for being observable.

Least privilege: the metrics name documents and count users, so they answer only a scraper that
sends ``Authorization: Bearer <TANDEM_METRICS_TOKEN>`` (Prometheus: ``authorization:
{credentials: ...}``); without the header, 401; with no token configured, 404 — a deployment that
wants metrics sets one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException, NotFoundException
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from server.api.auth import bearer_token
from server.api.container import Services, ServicesDep
from server.services.ports.jobs import QueueReport
from server.services.credentials import same_secret
from server.settings import Settings

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class EngineCollector(Collector):
    """Turns one app's engine state into metric families."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def collect(self) -> Iterator[Metric]:
        services = self._services
        rooms, committer, bus = services.rooms, services.committer, services.bus
        stats = rooms.stats
        node = {"node": bus.node}
        yield _gauge("tandem_connections", "open WebSocket connections", rooms.connections, node)
        yield _gauge("tandem_connections_direct", "connections written to straight into the transport",
                     rooms.direct_connections, node)
        yield _gauge("tandem_open_documents", "documents loaded in memory", len(rooms), node)
        yield _counter("tandem_updates_in", "client/API updates that changed a document", stats.updates_in, node)
        yield _counter("tandem_updates_relayed_in", "updates from other nodes that changed a document",
                       stats.updates_relayed_in, node)
        yield _counter("tandem_broadcasts", "frames encoded for a room's clients", stats.broadcasts, node)
        yield _counter("tandem_broadcast_updates", "updates carried by broadcasts (/broadcasts = coalescing)",
                       stats.broadcast_updates, node)
        yield _counter("tandem_frames_out", "frames queued on connections", stats.frames_out, node)
        yield _counter("tandem_gap_repairs", "bus gaps noticed and repaired", stats.gap_repairs, node)
        closes = CounterMetricFamily("tandem_connections_closed", "connections closed by the server, by code",
                                     labels=["node", "code"])
        for code, count in sorted(stats.closes.items()):
            closes.add_metric([bus.node, str(code)], count)
        yield closes
        yield _counter("tandem_commit_batches", "group-commit transactions", committer.batches, node)
        yield _counter("tandem_commit_rows", "log rows written", committer.rows_written, node)
        yield _counter("tandem_commit_updates", "updates made durable", committer.updates_committed, node)
        yield _counter("tandem_commit_seconds", "time inside commit transactions", committer.commit_seconds, node)
        yield _counter("tandem_commit_lag_seconds", "oldest enqueue to commit, summed per batch",
                       committer.lag_seconds, node)
        yield _counter("tandem_commit_failures", "failed (and retried) commits", committer.failures, node)
        yield _counter("tandem_compactions", "log compactions", committer.compactions, node)
        projector = services.projector
        yield _counter("tandem_projections", "board and note documents projected into SQL", projector.projections, node)
        yield _counter("tandem_projection_failures", "failed (and retried) projections", projector.failures, node)
        yield _counter("tandem_projection_seconds", "time inside projections, summed", projector.seconds, node)
        yield _gauge("tandem_projection_documents", "documents followed: open rooms and closed ones still due",
                     projector.following, node)
        trimmer = services.trimmer
        yield _counter("tandem_memory_trims", "free heap pages handed back to the OS after rooms closed",
                       trimmer.trims, node)
        yield _gauge("tandem_memory_trim_due", "1 while rooms closed since the last release", trimmer.due, node)
        yield _counter("tandem_bus_published", "messages published to other nodes", bus.published, node)
        for name, help_, attr in (
            ("tandem_bus_relay_seconds", "publish to Redis acceptance, summed per message", "relay_seconds"),
            ("tandem_bus_publish_failures", "failed Redis publishes", "publish_failures"),
            ("tandem_bus_reconnects", "Redis subscription restorations", "reconnects"),
        ):
            if hasattr(bus, attr):
                yield _counter(name, help_, getattr(bus, attr), node)


def _gauge(name: str, help_: str, value: float, labels: dict[str, str]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, help_, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _counter(name: str, help_: str, value: float, labels: dict[str, str]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, help_, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


class QueueCollector(Collector):
    """The job queue (shared by every node: the same figures on each) as read before the scrape."""

    def __init__(self, report: QueueReport | None) -> None:
        self._report = report

    def collect(self) -> Iterator[Metric]:
        report = self._report
        yield _gauge("tandem_jobs_up", "1 if the job queue could be read for this scrape", report is not None, {})
        if report is None:
            return
        yield _gauge("tandem_jobs_queued", "jobs waiting for a worker (due now or later)", report.queued, {})
        yield _gauge("tandem_jobs_due", "jobs due now and not yet taken by a worker", report.due, {})
        yield _gauge("tandem_jobs_running", "jobs a worker is running", report.running, {})
        yield _gauge("tandem_jobs_failed", "jobs held as failed after their last retry", report.failed, {})
        yield _gauge("tandem_jobs_oldest_seconds", "how long the oldest due job has waited", report.oldest_seconds, {})
        yield _gauge("tandem_workers", "worker processes connected to the database", report.workers, {})
        jobs = GaugeMetricFamily("tandem_jobs", "jobs in the queue by kind and status", labels=["kind", "status"])
        for kind, statuses in sorted(report.by_kind.items()):
            for status, count in sorted(statuses.items()):
                jobs.add_metric([kind, status], count)
        yield jobs


@get("/metrics", include_in_schema=False)
async def metrics(request: Request, services: ServicesDep) -> Response[bytes]:
    _check_scraper(request, services.settings)
    try:
        report: QueueReport | None = await services.queue.report()
    except Exception:  # the engine's figures still matter while Postgres is away; tandem_jobs_up says 0
        log.warning("metrics: the job queue could not be read", exc_info=True)
        report = None
    registry = CollectorRegistry(auto_describe=False)
    registry.register(EngineCollector(services))
    registry.register(QueueCollector(report))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE)


def _check_scraper(request: Request, settings: Settings) -> None:
    """404 while no metrics token is configured; 401 unless the request carries it as a bearer token."""
    expected = settings.metrics_token
    if not expected:
        raise NotFoundException("metrics are off: set TANDEM_METRICS_TOKEN and scrape with that bearer token")
    if not same_secret(bearer_token(request) or "", expected):
        raise NotAuthorizedException("expected 'Authorization: Bearer <TANDEM_METRICS_TOKEN>'",
                                     headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
