"""Tandem's Python client: ``async with connect(url, document) as session`` yields a synced Doc.

    async with connect("ws://127.0.0.1:8000", "board-1") as session:
        session.doc["deals"] = Map()          # local edits flow out
        await session.durable()               # ... and are committed on the server
        session.set_presence({"name": "Ada"})  # awareness

It speaks the same y-protocols as npm ``y-websocket``, reconnects with backoff after a drop and
resyncs (offline edits are sent in the sync step 2 reply), and asks for Tandem's durable
acknowledgements so that ``durable()`` can wait for the commit.
"""

from client.session import Session, SessionClosed, connect

__all__ = ["Session", "SessionClosed", "connect"]
