"""A real S3-compatible server on 127.0.0.1 for the file-store tests: moto's ``ThreadedMotoServer``
(``pip install 'moto[server]'``, in the ``test`` extra) — a werkzeug HTTP server speaking the S3
REST API, on a free port, in a thread of the test process. The adapter reaches it over TCP with
signed requests, as it would reach AWS or MinIO."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

try:
    from moto.server import ThreadedMotoServer
except ImportError as error:  # a missing service fails, saying how to get it
    raise RuntimeError("the S3 file-store tests need moto's server: pip install 'moto[server]' "
                       "(in the test extra: pip install -e '.[test]', or scripts/test)") from error

ACCESS_KEY, SECRET_KEY = "tandem-test", "tandem-test-secret"


@contextmanager
def s3_server() -> Iterator[str]:
    """The endpoint URL (``http://127.0.0.1:<port>``) of a fresh S3 server, stopped after."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a log line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
