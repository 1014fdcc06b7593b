"""``GET /health``: 200 once the server can serve (database migrated, engine running)."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import HTTPException


@get("/health", sync_to_thread=False)
def health(request: Request) -> dict[str, object]:
    state = request.app.state
    if not state.get("ready"):
        raise HTTPException(status_code=503, detail="starting: the database is not ready yet")
    return {"status": "ok", "rooms": len(state.rooms)}
