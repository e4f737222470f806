"""The publishing clock inside the web process, for the demo (no Celery beat).

When ``settings.HERALD_INPROCESS_SCHEDULER`` is true, the first request a process
serves starts one daemon thread that runs ``actions.publish_due_pages`` right
away and then every ``INTERVAL_SECONDS``; an article scheduled for a time goes
live within that interval (well under a minute) of it. Starting on the first
request, not in ``AppConfig.ready()``, means management commands, the
autoreloader's parent process and Celery workers never start one, while every
server process (runserver, gunicorn workers, the demo server) does. Several
processes running it at once is safe: ``publish_due_pages`` re-checks each item
under a row lock. ``ensure_started()`` starts it explicitly.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.signals import request_started
from django.db import connections

log = logging.getLogger("herald.newsroom.scheduler")

INTERVAL_SECONDS = 20.0
_DISPATCH_UID = "newsroom-inprocess-scheduler"
_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def install() -> None:
    """Start the clock on the first request when the setting asks for it."""
    if getattr(settings, "HERALD_INPROCESS_SCHEDULER", False):
        request_started.connect(_start_on_first_request, dispatch_uid=_DISPATCH_UID)


def _start_on_first_request(**kwargs: object) -> None:
    request_started.disconnect(dispatch_uid=_DISPATCH_UID)
    ensure_started()


def run_once() -> None:
    """Publish what is due; never raise (the loop must survive a bad page)."""
    from . import actions

    try:
        actions.publish_due_pages()
    except Exception:
        log.exception("in-process publishing clock failed; retrying next tick")
    finally:
        # This thread's own connections: do not hold them (or SQLite locks) idle.
        connections.close_all()


def _loop(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        run_once()
        stop.wait(interval)


def ensure_started(interval: float = INTERVAL_SECONDS) -> bool:
    """Start the clock thread unless it runs already; True if this call started it."""
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return False
        _stop.clear()
        _thread = threading.Thread(
            target=_loop,
            args=(interval, _stop),
            name="herald-publishing-clock",
            daemon=True,
        )
        _thread.start()
        log.info("in-process publishing clock started (every %ss)", interval)
        return True


def stop(timeout: float = 10.0) -> None:
    """Stop the clock thread and wait for it (tests, shutdown)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    _stop.set()
    if thread is not None:
        thread.join(timeout)
