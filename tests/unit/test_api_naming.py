"""One JSON naming convention for the whole HTTP API: every field and parameter the OpenAPI
document names is snake_case (the Yjs documents keep their own camelCase keys; they are not
the HTTP API). Every answer but ``/health`` is a typed Struct, so the document covers them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from server.app import create_app
from server.settings import load_settings

SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def _property_names(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for name in node.get("properties", {}) if isinstance(node.get("properties"), dict) else ():
            yield where, name
        for key, value in node.items():
            yield from _property_names(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _property_names(value, f"{where}/{index}")


def _parameter_names(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                yield f"{method.upper()} {path}", parameter["name"]


def test_every_field_and_parameter_of_the_api_is_snake_case() -> None:
    schema = create_app(load_settings()).openapi_schema.to_schema()
    names = list(_property_names(schema)) + list(_parameter_names(schema))
    assert len(names) > 100  # the whole API is described, not an empty document
    assert [(where, name) for where, name in names if not SNAKE.fullmatch(name)] == []
