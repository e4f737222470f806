"""Helpers for queueing side effects after the current transaction commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction


def on_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` once the surrounding transaction commits."""
    transaction.on_commit(lambda: func(*args, **kwargs))


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue a Celery task after commit (eager in-process when no broker is set)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))
