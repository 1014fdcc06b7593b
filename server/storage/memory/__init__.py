"""In-memory twins of the storage adapters: the same ports, the same contract suites
(tests/contract), for fast unit tests of the engine and the services."""

from __future__ import annotations

from server.storage.memory.documents import MemoryDocumentStore

__all__ = ["MemoryDocumentStore"]
