"""Purge nginx's page cache over HTTP (``docs/deploy/nginx.conf``'s purge server).

Wagtail's ``HTTPBackend`` sends ``PURGE <path>`` with the page's ``Host`` to
``LOCATION``; this one adds a timeout, so a purge server that does not answer
never holds up a worker, and takes nginx's 404 (``ngx_cache_purge``: nothing
was kept under that key) as success, not as an error to log.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest

log = logging.getLogger("herald.distribution.purge")
TIMEOUT = 5  # seconds


class NginxPurgeBackend(HTTPBackend):
    def __init__(self, params: dict[str, Any]) -> None:
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", TIMEOUT))
        super().__init__(params)

    def purge(self, url: str) -> None:
        """Drop ``url`` from the cache; True-ish silence on success or absence."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        request = PurgeRequest(
            url=urlunsplit(
                (self.cache_scheme, self.cache_netloc, parts.path, parts.query, "")
            ),
            headers={"Host": host, "User-Agent": "Herald-purge"},
        )
        try:
            with urlopen(request, timeout=self.timeout):  # noqa: S310 - LOCATION is the operator's
                pass
        except HTTPError as exc:
            if exc.code != 404:  # 404: nothing kept under that key
                log.warning("purge of %s refused: HTTP %s", url, exc.code)
        except (URLError, OSError) as exc:
            log.warning("purge of %s failed: %s", url, exc)
