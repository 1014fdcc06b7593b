"""Litestar only: the HTTP routes, the WebSocket endpoint, and error mapping."""
