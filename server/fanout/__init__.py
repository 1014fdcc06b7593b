"""Adapters for ``server.sync.ports.Bus``: Redis pub/sub across processes, or in-process."""
