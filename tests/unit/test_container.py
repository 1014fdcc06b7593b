"""Handlers get the app's services from one typed container, each asked for by its type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_type_hints

import pytest
from litestar import Litestar

from server.api.container import Services, services_of
from server.app import create_app
from server.settings import Settings

FIELDS = get_type_hints(Services)
FIELDS["services"] = Services


def _handlers(app: Litestar) -> Iterator[Any]:
    for route in app.routes:
        yield from getattr(route, "route_handlers", ())
        if getattr(route, "route_handler", None) is not None:
            yield route.route_handler


def _asked(app: Litestar) -> Iterator[tuple[str, str, Any]]:
    """(who, parameter, declared type) for every service a handler or a provider asks for."""
    for handler in _handlers(app):
        callables = [(str(handler), handler.parsed_fn_signature)]
        callables += [(f"{handler}'s {name} provider", provide.parsed_fn_signature)
                      for name, provide in handler.resolve_dependencies().items()]
        for who, signature in callables:
            for name, parameter in signature.parameters.items():
                if name in FIELDS:
                    yield who, name, parameter.annotation


def test_every_service_a_handler_asks_for_is_declared_with_the_containers_type() -> None:
    asked = list(_asked(create_app(Settings(database_url="postgresql://unused"))))
    assert len({name for _, name, _ in asked}) >= 15  # the check sees the services the API uses
    wrong = [f"{who}: {name}: {declared}, the container holds {FIELDS[name]}"
             for who, name, declared in asked if declared is not FIELDS[name]]
    assert not wrong, "\n".join(wrong)


def test_the_services_are_there_only_once_the_app_has_started() -> None:
    app = create_app(Settings(database_url="postgresql://unused"))
    with pytest.raises(RuntimeError, match="start the app first"):
        services_of(app)
