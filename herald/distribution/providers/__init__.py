"""Frontend-cache purge backends (Wagtail's ``WAGTAILFRONTENDCACHE`` interface)."""
