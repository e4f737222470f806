"""Run the shipped nginx config (docs/deploy/nginx.conf) on the loopback.

Used by the nginx page-cache test (tests/test_nginx_cache.py) and benchmark
(tools/bench/nginx.py), so both exercise the file an operator installs, not a
copy of it. The site file is rendered with only what a machine without TLS and
root paths needs changed:

- the port-80 (certificate) server is left out;
- the TLS server listens on ``127.0.0.1:PORT`` without ``ssl`` and IPv6;
- the upstream, the purge server's port, the cache directory and the static
  and media roots are substituted.

Everything else (cache key, bypass rules, purge location, headers) is used as
shipped. nginx runs in the foreground as a child process with its own prefix
directory (pid, logs, temp and cache files).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "docs" / "deploy" / "nginx.conf"
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
MIME_TYPES = Path("/etc/nginx/mime.types")


def nginx_binary() -> str | None:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.access(found, os.X_OK) else None


def missing() -> str | None:
    """Why nginx with the purge module cannot run here, or None when it can."""
    if nginx_binary() is None:
        return "nginx is not installed (apt-get install nginx)"
    if not PURGE_MODULE.exists():
        return (
            "the cache purge module is not installed "
            "(apt-get install libnginx-mod-http-cache-purge)"
        )
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _blocks(text: str) -> list[str]:
    """Top-level statements and blocks of an nginx file (comments dropped)."""
    out: list[str] = []
    depth = 0
    current = ""
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].rstrip() if "#" in line else line.rstrip()
        if not stripped.strip() and depth == 0:
            continue
        current += stripped + "\n"
        depth += stripped.count("{") - stripped.count("}")
        if depth == 0 and stripped.strip().endswith(("}", ";")):
            out.append(current)
            current = ""
    if current.strip():
        out.append(current)
    return out


def render_site(
    *,
    port: int,
    purge_port: int,
    upstream: str,
    cache_dir: Path,
    static_root: Path,
    media_root: Path,
    extra_locations: str = "",
    shipped: Path = SHIPPED,
) -> str:
    """The shipped site file, rendered for the loopback (see the module doc)."""
    kept = []
    for block in _blocks(shipped.read_text()):
        if re.search(r"^\s*listen 80;", block, re.M):
            continue  # certificate challenges and the HTTPS redirect
        if "listen 443" in block:
            block = re.sub(r"^\s*listen \[::\].*\n", "", block, flags=re.M)
            block = re.sub(
                r"^(\s*)listen 443[^;]*;",
                rf"\1listen 127.0.0.1:{port};",
                block,
                flags=re.M,
            )
            block = re.sub(r"^\s*ssl_[a-z_]+ [^;]*;\n", "", block, flags=re.M)
            if extra_locations:
                block = block.replace(
                    "    location / {", extra_locations + "\n    location / {", 1
                )
        block = block.replace(
            "listen 127.0.0.1:8081;", f"listen 127.0.0.1:{purge_port};"
        )
        block = block.replace("server 127.0.0.1:8000", f"server {upstream}")
        block = block.replace("/var/cache/nginx/herald", str(cache_dir))
        block = block.replace("/var/lib/herald/static/", f"{static_root}/")
        block = block.replace("/var/lib/herald/media/", f"{media_root}/")
        kept.append(block)
    return "\n".join(kept)


def render_main(prefix: Path, site: str, *, workers: int = 1) -> str:
    """A whole nginx.conf around ``site`` whose files all live under ``prefix``."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers write the cache
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/tmp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"load_module {PURGE_MODULE};\n"
        f"{user}worker_processes {workers};\n"
        f"pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\n"
        "daemon off;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"    include {MIME_TYPES};\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        "    tcp_nopush on;\n"
        "    keepalive_timeout 65;\n"
        "    keepalive_requests 100000;\n"
        f"    access_log {prefix}/access.log;\n"
        f"{temp}\n" + site + "\n}\n"
    )


class LocalNginx:
    """nginx with the shipped site config in front of ``upstream`` (host:port)."""

    def __init__(
        self,
        prefix: Path,
        *,
        upstream: str,
        static_root: Path,
        media_root: Path | None = None,
        extra_locations: str = "",
        workers: int = 1,
        port: int | None = None,
        purge_port: int | None = None,
    ) -> None:
        self.prefix = prefix
        self.port = port or free_port()
        self.purge_port = purge_port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.purge_url = f"http://127.0.0.1:{self.purge_port}"
        for sub in (
            "tmp/client_body",
            "tmp/proxy",
            "tmp/fastcgi",
            "tmp/uwsgi",
            "tmp/scgi",
            "cache",
        ):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        site = render_site(
            port=self.port,
            purge_port=self.purge_port,
            upstream=upstream,
            cache_dir=prefix / "cache",
            static_root=static_root,
            media_root=media_root or static_root,
            extra_locations=extra_locations,
        )
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(render_main(prefix, site, workers=workers))
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self, *extra: str) -> list[str]:
        binary = nginx_binary()
        assert binary, "nginx is not installed"
        return [binary, "-p", str(self.prefix), "-c", str(self.conf), *extra]

    def check(self) -> None:
        done = subprocess.run(self.command("-t"), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{done.stderr}")

    def start(self, timeout: float = 20) -> LocalNginx:
        self.check()
        log = open(self.prefix / "stderr.log", "wb")  # noqa: SIM115 - closed in stop
        self.proc = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._log = log
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    "nginx exited: " + (self.prefix / "stderr.log").read_text()
                )
            try:
                for port in (self.port, self.purge_port):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("nginx did not start listening in time")

    def reload(self, timeout: float = 20) -> None:
        """Re-read the configuration (SIGHUP); the cache zone and files stay."""
        assert self.proc is not None, "nginx is not running"
        old = self._workers()
        os.kill(self.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            workers = self._workers()
            if workers and not workers & old:
                return
            time.sleep(0.1)
        raise RuntimeError("nginx did not reload in time")

    def _workers(self) -> set[int]:
        assert self.proc is not None
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.add(int(entry.name))
        return found

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own session only
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self._log.close()
        self.proc = None

    def __enter__(self) -> LocalNginx:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
