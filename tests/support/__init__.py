"""Shared test machinery: real Postgres databases, in-process and subprocess servers, raw sockets."""
