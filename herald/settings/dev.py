"""Laptop and demo settings: SQLite, no HTTPS, a fixed-but-local secret."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.DEBUG
# A development secret is fine on a laptop; production refuses to start without one.
SECRET_KEY = env.SECRET_KEY or "herald-dev-insecure-secret-key-change-me-in-production"
HERALD_INPROCESS_SCHEDULER = env.INPROCESS_SCHEDULER

# A laptop's 127.0.0.1 URLs mean nothing to a public WebSub hub: none by default.
HERALD_WEBSUB_DEFAULT_HUBS = ""

# The demo's admin shows every email, newsletters included (Admin → Outbox).
# (tools/bench/send.py turns it off with HERALD_OUTBOX_KEEP_BATCH=0, as in
# production.)
HERALD_OUTBOX_KEEP_BATCH = env._bool("HERALD_OUTBOX_KEEP_BATCH", default=True)
