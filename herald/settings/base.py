"""Settings shared by every environment. Values an operator sets come from env.py."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from . import env

BASE_DIR = env.BASE_DIR
PROJECT_DIR = BASE_DIR / "herald"

SECRET_KEY = env.SECRET_KEY
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS
BASE_URL = env.BASE_URL
HERALD_RELEASE = env.RELEASE

INSTALLED_APPS = [
    "herald.core",
    "herald.outbox",
    "herald.members",
    "herald.newsroom",
    "herald.newsletters",
    "herald.notifications",
    "herald.reactions",
    "herald.distribution",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "csp",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # Outermost: sees Cache-Control as it leaves (after CookieGuardMiddleware).
    "herald.core.keep.offline.OfflineMiddleware",
    "herald.core.keep.GenerationMiddleware",
    "herald.core.keep.http.CookieGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "herald.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "herald.newsroom.middleware.PublicationLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "herald.newsroom.middleware.NewsroomTimeZoneMiddleware",
    "herald.members.sessions.StaffIdleTimeoutMiddleware",
    "herald.members.metering.MeterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "herald.core.middleware.NonceCSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "herald.urls"
WSGI_APPLICATION = "herald.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "wagtail.contrib.settings.context_processors.settings",
                "herald.newsroom.context_processors.site_chrome",
            ],
        },
    },
]

if env.DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=60)}
else:
    # The embedded database's folder is created on first use (fresh clone).
    Path(env.SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers work while the scheduler or an editor writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any other backend runs.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# Admin password attempts, 15-minute locks: five failures for one account from
# any address lock the account (counting per account and address gave five more
# guesses per address), and five failures from one address, whatever accounts
# they aim at, lock the address (password spraying).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "herald.core.views.lockout"  # core/lockout.html, 429
AXES_HTTP_RESPONSE_CODE = 429
# "admin", "Admin" and "admin@example.org" count as one account.
AXES_USERNAME_CALLABLE = "herald.core.auth.lockout_username"
# Lockouts key on the same client address as every reader rate limit.
AXES_CLIENT_IP_CALLABLE = "herald.core.http.client_ip"
# Reverse proxies whose X-Forwarded-For herald.core.http.client_ip believes.
HERALD_TRUSTED_PROXIES = env.TRUSTED_PROXIES

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("he", "עברית"),
    ("fa", "فارسی"),
]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 3600

if env.REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "herald.core.cache.HeraldRedisCache",
            "LOCATION": env.REDIS_URL,
            "KEY_PREFIX": env.CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "herald",
        }
    }
# How long a web process may reuse the local-cache generation it read (seconds):
# a change made in another process shows within this time.
HERALD_LOCAL_GENERATION_TTL = 1.0
# Per-process copies of what every reader request reads (site, settings, page
# lookups, reader-neutral fragments), dropped by a shared generation number: see
# herald/core/keep/. Bounded in entries and in age.
CACHES["local"] = {
    "BACKEND": "herald.core.keep.GenerationalLocMemCache",
    "LOCATION": "herald-local",
    "TIMEOUT": 120,
    # About seven entries per article read (route, head tags, fragments, body
    # parts), 2.8 KB each on average: 4,000 hold ~550 articles, ~11 MB per
    # process. At 10,000 the web server's memory outgrew its 250 MiB budget
    # (docs/performance.md, issue 10); a miss here is a read of the shared cache.
    "OPTIONS": {"MAX_ENTRIES": 4000, "CULL_FREQUENCY": 4},
}

# nginx's page cache (docs/deploy/nginx.conf): purged through Wagtail's
# frontend-cache interface when a story changes (distribution.frontend_cache).
# Wagtail's own app is not installed: its receivers would purge inside the
# publishing transaction; Herald's run after the commit.
WAGTAILFRONTENDCACHE = (
    {
        "nginx": {
            "BACKEND": "herald.distribution.providers.http_purge.NginxPurgeBackend",
            "LOCATION": env.CACHE_PURGE_URL,
        }
    }
    if env.CACHE_PURGE_URL
    else {}
)

# Celery: Redis is the broker when configured; otherwise tasks run in-process.
CELERY_BROKER_URL = env.CELERY_BROKER_URL or env.REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.CELERY_EAGER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {
        "task": "herald.newsroom.tasks.publish_due_pages",
        "schedule": 30.0,
    },
    "members-expire-access": {
        "task": "herald.members.tasks.expire_access",
        "schedule": 15 * 60.0,
    },
    "outbox-recover-messages": {
        "task": "herald.outbox.tasks.recover_messages",
        "schedule": 60.0,
    },
    "notifications-resume-deliveries": {
        "task": "herald.notifications.tasks.resume_deliveries",
        "schedule": 5 * 60.0,
    },
    "members-purge-expired-data": {
        "task": "herald.members.tasks.purge_expired_data",
        "schedule": 60 * 60.0,
    },
    # Newsletters: forget sign-ups never confirmed (herald/newsletters/CONTEXT.md).
    "newsletters-purge-unconfirmed": {
        "task": "herald.newsletters.tasks.purge_unconfirmed",
        "schedule": 60 * 60.0,
    },
    # Newsletters: start due sends and digests, resume sends whose worker died.
    "newsletters-sending-tick": {
        "task": "herald.newsletters.sending.tasks.tick",
        "schedule": env.NEWSLETTER_TICK_SECONDS,
    },
}
# Task modules outside an app's tasks.py that workers must register.
CELERY_IMPORTS = ["herald.newsletters.sending.tasks"]
CELERY_TASK_DEFAULT_QUEUE = env.CELERY_QUEUE
# The sending pipeline (herald/newsletters/CONTEXT.md, docs/newsletters.md).
HERALD_NEWSLETTER_BATCH_SIZE = env.NEWSLETTER_BATCH_SIZE
HERALD_NEWSLETTER_LEASE_SECONDS = env.NEWSLETTER_LEASE_SECONDS
HERALD_NEWSLETTER_PARALLEL = env.NEWSLETTER_PARALLEL
HERALD_NEWSLETTER_UNSUBSCRIBE_MAILTO = env.NEWSLETTER_UNSUBSCRIBE_MAILTO
# Retention (docs/security.md): expired sign-in tokens are deleted a day after
# they expire; django-axes admin login attempts and logs after 30 days.
HERALD_LOGIN_TOKEN_RETENTION_HOURS = 24
HERALD_AUTH_LOG_RETENTION_DAYS = 30
# Newsroom (staff) sessions end after this many seconds without a request.
HERALD_ADMIN_IDLE_TIMEOUT = env.ADMIN_IDLE_TIMEOUT
# A code from the member's inbox proves it for this long (delete, email change).
HERALD_MEMBERS_REAUTH_SECONDS = 5 * 60
HERALD_INPROCESS_SCHEDULER = env.INPROCESS_SCHEDULER
# WebSub hubs a new site pings (editable per site in Settings → Distribution).
HERALD_WEBSUB_DEFAULT_HUBS = "https://pubsubhubbub.appspot.com/"

# Every email goes through the outbox (herald/outbox/CONTEXT.md): kept, then
# sent by a worker through HERALD_EMAIL_PROVIDER.
EMAIL_BACKEND = "herald.outbox.backends.OutboxBackend"
HERALD_EMAIL_PROVIDER = env.EMAIL_PROVIDER or (
    env.EMAIL_BACKEND
    if env.EMAIL_BACKEND and env.EMAIL_BACKEND != EMAIL_BACKEND
    else "console"
)
# How many times a message is tried on temporary errors before it is 'failed',
# the first wait between tries (doubling, at most an hour), and how long a
# message may stay 'sending' before the sweeper settles it (longer than
# EMAIL_TIMEOUT).
HERALD_OUTBOX_MAX_ATTEMPTS = 6
HERALD_OUTBOX_RETRY_BASE_SECONDS = 30
HERALD_OUTBOX_SENDING_TIMEOUT = 300
# Send in the calling process after commit instead of queueing (tests).
HERALD_OUTBOX_SEND_IN_PROCESS = False
# Celery queue of the outbox's send tasks (empty: Celery's default queue).
HERALD_OUTBOX_QUEUE = ""
# Also keep a copy of each newsletter email sent through outbox.batch (the demo
# does, so its admin shows what readers received; production keeps only the
# newsletters' own per-recipient rows).
HERALD_OUTBOX_KEEP_BATCH = False

# The comment spam check (herald/reactions/providers); a wrong path stops start-up.
HERALD_COMMENT_SPAM_CHECK = (
    env.COMMENT_SPAM_CHECK or "herald.reactions.providers.heuristic.HeuristicSpamCheck"
)

EMAIL_HOST = env.EMAIL_HOST
EMAIL_PORT = env.EMAIL_PORT
EMAIL_HOST_USER = env.EMAIL_HOST_USER
EMAIL_HOST_PASSWORD = env.EMAIL_HOST_PASSWORD
EMAIL_USE_TLS = env.EMAIL_USE_TLS
EMAIL_USE_SSL = env.EMAIL_USE_SSL
EMAIL_TIMEOUT = env.EMAIL_TIMEOUT
# SMTP's envelope sender, where bounces (DSNs) go (herald.outbox.dsn).
HERALD_EMAIL_BOUNCE_ADDRESS = env.EMAIL_BOUNCE_ADDRESS
# django-anymail: the ESP's keys under the names anymail reads.
_ANYMAIL_KEY_NAMES = {
    "postmark": ("SERVER_TOKEN", None, None),
    "mailgun": ("API_KEY", None, "WEBHOOK_SIGNING_KEY"),
    "sendgrid": ("API_KEY", None, None),
    "brevo": ("API_KEY", None, None),
    "resend": ("API_KEY", None, "SIGNING_SECRET"),
    "mailjet": ("API_KEY", "SECRET_KEY", None),
    "mailersend": ("API_TOKEN", None, "SIGNING_SECRET"),
    "mailtrap": ("API_TOKEN", None, None),
    "mandrill": ("API_KEY", None, "WEBHOOK_KEY"),
    "postal": ("API_KEY", None, "WEBHOOK_KEY"),
    "scaleway": ("SECRET_KEY", None, None),
    "sparkpost": ("API_KEY", None, None),
    "unisender_go": ("API_KEY", None, None),
}
ANYMAIL: dict[str, object] = {"REQUESTS_TIMEOUT": env.EMAIL_TIMEOUT}
if env.EMAIL_WEBHOOK_SECRET:
    ANYMAIL["WEBHOOK_SECRET"] = env.EMAIL_WEBHOOK_SECRET
if HERALD_EMAIL_PROVIDER in _ANYMAIL_KEY_NAMES:
    _esp = HERALD_EMAIL_PROVIDER.upper()
    _key, _secret, _signing = _ANYMAIL_KEY_NAMES[HERALD_EMAIL_PROVIDER]
    for _name, _value in (
        (_key, env.EMAIL_API_KEY),
        (_secret, env.EMAIL_API_SECRET),
        (_signing, env.EMAIL_WEBHOOK_SIGNING_KEY),
        ("API_URL", env.EMAIL_API_URL),
        ("SENDER_DOMAIN" if _esp == "MAILGUN" else None, env.EMAIL_SENDER_DOMAIN),
    ):
        if _name and _value:
            ANYMAIL[f"{_esp}_{_name}"] = _value
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL
SERVER_EMAIL = env.DEFAULT_FROM_EMAIL

# Wagtail
WAGTAIL_SITE_NAME = "Herald"
WAGTAILADMIN_BASE_URL = env.BASE_URL
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"avif": "webp"}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 60_000_000
WAGTAILIMAGES_IMAGE_MODEL = "core.HeraldImage"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "zip"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {
            "features": [
                "bold",
                "italic",
                "link",
                "document-link",
                "superscript",
                "subscript",
                "strikethrough",
            ]
        },
    }
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Security headers (the production settings add HSTS and secure cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The admin loads nothing from third parties: no Gravatar (it would send a hash
# of each editor's email to a US company), no phoning home for new releases.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
HERALD_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# Content-Security-Policy. Reader pages get nonce-only scripts; the Wagtail admin
# gets its own, looser policy (see herald.core.middleware) because its editor
# needs inline styles and scripts that Wagtail does not yet nonce.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [
            "https://www.youtube-nocookie.com",
            "https://www.youtube.com",
            "https://player.vimeo.com",
        ],
        "media-src": [SELF, "https:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF, "https://checkout.stripe.com"],
        "frame-ancestors": [NONE],
        "manifest-src": [SELF],
        "worker-src": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "herald": {"handlers": ["console"], "level": env.LOG_LEVEL, "propagate": False},
    },
}

# Herald's own knobs.
HERALD_QUERY_MAX_LENGTH = 200
HERALD_PAGE_SIZE = 20
HERALD_BREAKING_HOURS = 6

# Members and payments (herald.members).
# Production sets True: herald.core.checks then refuses test providers.
HERALD_REQUIRE_LIVE_PROVIDERS = False
HERALD_PAYMENTS_PROVIDER = env.PAYMENTS_PROVIDER
HERALD_STRIPE_SECRET_KEY = env.STRIPE_SECRET_KEY
HERALD_STRIPE_WEBHOOK_SECRET = env.STRIPE_WEBHOOK_SECRET
HERALD_STRIPE_API_BASE = env.STRIPE_API_BASE

# Web Push (herald/notifications/CONTEXT.md).
HERALD_PUSH_CONTACT = env.PUSH_CONTACT
HERALD_PUSH_BREAKING_AUTOSEND = env.PUSH_BREAKING_AUTOSEND
HERALD_PUSH_QUEUE = env.PUSH_QUEUE
HERALD_PUSH_SERVICE_HOSTS = env.PUSH_SERVICE_HOSTS
# Hosts reached over plain http (only the tests' local push service).
HERALD_PUSH_INSECURE_HOSTS: list[str] = []
# Time to live at the push service: a day for section alerts, two hours for
# breaking news (stale by then). Never 0: that drops pushes to offline devices.
HERALD_PUSH_TTL = 24 * 3600
HERALD_PUSH_BREAKING_TTL = 2 * 3600
# Subscriptions per delivery batch (one task), parallel requests per batch,
# seconds before a push service that does not answer counts as failed (retried).
HERALD_PUSH_BATCH_SIZE = 500
HERALD_PUSH_CONCURRENCY = 50
HERALD_PUSH_TIMEOUT = 10.0
# Attempts per delivery (429, 5xx, timeouts) before it is marked failed, and the
# first backoff (doubled each attempt; a longer Retry-After wins).
HERALD_PUSH_MAX_ATTEMPTS = 5
HERALD_PUSH_BACKOFF = 30
# Anonymous writes to the subscription API per address.
HERALD_PUSH_RATE = "20/h"
