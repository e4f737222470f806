"""Before gunicorn forks its workers (``--preload``): warm the code they share.

Python 3.11 rewrites a function's bytecode in place the first times it runs
(the specialising interpreter), and a first request also imports what only a
request needs (the cache client, context processors, message storage). Done in
each worker, that copied about 30 MiB of the master's memory pages into every
worker on its first request (docs/performance.md, issue 10). Serving a few
anonymous reader pages in the master, before it forks, does it once, in memory
the workers share.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


def serve(application: Callable[..., Any], path: str, *, base_url: str) -> str:
    """Serve an anonymous ``GET path`` (a query string may follow ``?``)
    through ``application``; its status line."""
    base = urlsplit(base_url)
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": base.hostname or "localhost",
        "SERVER_PORT": str(base.port or (443 if base.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": base.netloc,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": base.scheme or "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    body = application(environ, lambda line, _headers, _exc=None: status.append(line))
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0]


def warm(
    application: Callable[..., Any], paths: Callable[[], Iterable[str]]
) -> dict[str, str]:
    """Serve ``paths()`` anonymously, then leave nothing a worker would inherit.

    Returns each path's status line. Failing (a database or Redis not
    reachable yet) only logs: each worker then warms itself on its first
    requests, as it would without this. Afterwards every database and cache
    connection of this process is closed and its local cache emptied, so no
    socket crosses the fork and workers keep only what they read themselves.
    """
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connections

    served: dict[str, str] = {}
    try:
        for path in paths():
            served[path] = serve(application, path, base_url=settings.BASE_URL)
            if not served[path].startswith("200"):
                log.warning("warming %s before forking answered %s", path, served[path])
    except Exception as exc:  # noqa: BLE001 - an optimisation must not stop the server
        log.warning("skipped warming reader pages before forking: %r", exc)
    finally:
        connections.close_all()
        for cache in caches.all(initialized_only=True):
            disconnect = getattr(cache, "disconnect", None)
            if disconnect is not None:
                disconnect()
        caches["local"].clear()
    return served
