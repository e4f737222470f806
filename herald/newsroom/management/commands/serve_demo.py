"""Serve the demo on 127.0.0.1 with gunicorn: ``manage.py serve_demo --port 8000``.

One command and no other service: gunicorn runs Django in this process's
settings (``herald.settings.dev`` from manage.py), WhiteNoise serves the hashed
static files (``collectstatic`` runs first), Django serves uploaded media when
HERALD_SERVE_MEDIA=1, and each worker runs the in-process publishing clock when
HERALD_INPROCESS_SCHEDULER=1 (``make demo`` sets both).

Without Redis the cache is each process's own memory, so the demo runs one
gunicorn process (with threads): a change an editor makes is then seen by every
reader at once. More processes need a cache they all share (HERALD_REDIS_URL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from herald.settings import env

from .load_demo import demo_loader


def _close_connections(*args: Any) -> None:
    """Never share a database connection across fork()."""
    connections.close_all()


def _start_publishing_clock(worker: Any) -> None:
    """Run scheduled publishing in every worker from the start, not on a request."""
    if getattr(settings, "HERALD_INPROCESS_SCHEDULER", False):
        from herald.newsroom import scheduler

        scheduler.ensure_started()


def follow_port(port: int) -> str:
    """Point the site and the base URL at ``port`` before the workers fork.

    Feeds, canonical links, sitemaps and emails use ``BASE_URL``; Wagtail uses
    the site's port. Both must name the port this server listens on.
    """
    loader = demo_loader()
    base_url = loader.local_base_url(settings.BASE_URL, port)
    # Set in this process only; the gunicorn workers fork from it.
    settings.BASE_URL = base_url
    settings.WAGTAILADMIN_BASE_URL = base_url
    loader.point_site_at(port)
    return base_url


def _gunicorn_app(options: dict[str, Any]) -> Any:
    from django.core.wsgi import get_wsgi_application
    from gunicorn.app.base import BaseApplication

    class DemoServer(BaseApplication):  # type: ignore[misc]
        """gunicorn configured in code; it loads this process's Django app."""

        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorn lacks some settings
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return get_wsgi_application()

    return DemoServer()


def cache_is_shared() -> bool:
    """Whether every process reads the same cache (not its own memory)."""
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def demo_workers(asked: int | None) -> int:
    """How many processes serve the demo; refuse several without a shared cache.

    Each process keeps what it renders under the change generation, which lives
    in the default cache: in per-process memory, an editor's change would move
    only the generation of the process that made it, and readers sent to
    another process would see the old page.
    """
    if asked is None:
        return 2 if cache_is_shared() else 1
    if asked > 1 and not cache_is_shared():
        raise CommandError(
            "Several processes need a cache they all share: set HERALD_REDIS_URL, "
            "or serve with --workers 1 (the default without Redis)."
        )
    return asked


class Command(BaseCommand):
    help = (
        "Serve the demo on http://127.0.0.1:PORT with gunicorn, static files "
        "through WhiteNoise and media through Django (HERALD_SERVE_MEDIA=1)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default: only this machine).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="gunicorn processes (default: 1, or 2 with a shared cache).",
        )
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--access-log", action="store_true", help="Print one line per request."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        options["workers"] = workers = demo_workers(options["workers"])
        if workers < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        self._ensure_static()
        loader = demo_loader()
        follow_port(port)
        if not loader.demo_exists():
            self.stdout.write(
                self.style.WARNING(
                    "The demo content is not loaded (run `manage.py load_demo`)."
                )
            )
        if not env.SERVE_MEDIA:
            self.stdout.write(
                self.style.WARNING(
                    "Uploaded images are not served: set HERALD_SERVE_MEDIA=1."
                )
            )
        info = loader.login_info(admin_password=env.ADMIN_PASSWORD, port=port)
        self.stdout.write(self.style.SUCCESS(f"Serving {loader.publication.NAME}"))
        for line in info.login_lines():
            self.stdout.write(f"  {line}")
        if settings.HERALD_INPROCESS_SCHEDULER:
            self.stdout.write("  Scheduled articles go live within a minute.")
        self.stdout.write("  Stop with Ctrl-C.")
        self.stdout.flush()

        _close_connections()
        _gunicorn_app(
            {
                "bind": f"{options['host']}:{port}",
                "workers": options["workers"],
                "worker_class": "gthread",
                "threads": options["threads"],
                "timeout": 60,
                "graceful_timeout": 5,
                "accesslog": "-" if options["access_log"] else None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "herald-demo",
                "control_socket_disable": True,
                "post_fork": lambda server, worker: _close_connections(),
                "post_worker_init": _start_publishing_clock,
            }
        ).run()

    def _ensure_static(self) -> None:
        """WhiteNoise's manifest storage needs collectstatic; run it if missing."""
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if not manifest.exists():
            self.stdout.write("Collecting static files …")
            call_command("collectstatic", interactive=False, verbosity=0)
