"""Settings for the PBX webhook hub: every value comes from the environment (see .env.example).

The defaults need no server at all: SQLite and a Celery broker on a SQLite file under var/.
Production sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis or RabbitMQ).
"""
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hub.env import env_bool, env_int, env_int_list, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HUB_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


# Said by every "required" message: most people meet it running manage.py by hand.
_HOW_TO_SET = ("set it in the environment (see .env.example), or run the command as "
               "`./hubctl manage COMMAND …`, which reads this checkout's local settings (var/local.env)")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(f"SECRET_KEY is not set: {_HOW_TO_SET}")
# Fernet keys for secrets at rest, newest first; older keys still decrypt during rotation.
HUB_ENCRYPTION_KEYS = env_list("HUB_ENCRYPTION_KEY")
if not HUB_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured(f"HUB_ENCRYPTION_KEY is not set (required when DEBUG is off): {_HOW_TO_SET}")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's JS/CSS served from here, not a CDN: hubs often run without internet access.
    "drf_spectacular_sidecar",
    "hub",
    "webui",
]

MIDDLEWARE = [
    # First: it times and logs every answer, the 503s and 500s of the ones below included.
    "hub.request_observer.RequestObserverMiddleware",
    "hub.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(name: str, default: str) -> dict:
    url = env_str(name, default)
    try:
        # Health checks: a kept connection that a database restart broke is replaced at the
        # start of the next request instead of failing it.
        config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
                                       conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Web, worker, beat and ingest share one file: WAL lets readers run beside the
        # writer, IMMEDIATE transactions queue writers instead of failing on upgrade.
        # A 16 MiB page cache (the default is 2 MiB) holds an import batch's dirty pages: with
        # the default, SQLite spilled them to the WAL mid-transaction and read them back,
        # 102k writes and 74k reads for a 5,000-call import instead of 60k and 21k.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        config["CONN_MAX_AGE"] = 0
        # Tests too get a file, not Django's default in-memory database: that one is opened in
        # shared-cache mode, where a writer locks whole tables and another connection (the live
        # server's, beside the test's own) fails at once with "database table is locked";
        # busy_timeout never applies there. On a file, tests wait for each other as the processes do.
        if config["NAME"] not in ("", ":memory:"):
            path = Path(config["NAME"])
            config["TEST"] = {"NAME": str(path.with_name(f"test-{path.name}"))}
    return config


DATABASES = {"default": _database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hub.sqlite3'}")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up without it

# Recordings and voicemail audio (hub/services/recordings): Django's storage API, under the
# "recordings" alias. filesystem (default): RECORDINGS_DIR; s3: any S3-compatible store through
# django-storages, links to the audio are then the store's presigned URLs.
RECORDINGS_STORAGE = env_str("RECORDINGS_STORAGE", "filesystem").lower()
RECORDINGS_DIR = Path(env_str("RECORDINGS_DIR", str(VAR_DIR / "recordings")))
RECORDINGS_S3_BUCKET = env_str("RECORDINGS_S3_BUCKET", "")
RECORDINGS_S3_ENDPOINT_URL = env_str("RECORDINGS_S3_ENDPOINT_URL")
RECORDINGS_S3_REGION = env_str("RECORDINGS_S3_REGION")
RECORDINGS_S3_ACCESS_KEY_ID = env_str("RECORDINGS_S3_ACCESS_KEY_ID")
RECORDINGS_S3_SECRET_ACCESS_KEY = env_str("RECORDINGS_S3_SECRET_ACCESS_KEY")
RECORDINGS_S3_PREFIX = env_str("RECORDINGS_S3_PREFIX", "recordings")
# Days (default 7) a recording link in a webhook or an API answer works; signed, expiry inside.
RECORDING_LINK_SECONDS = env_int("RECORDING_LINK_SECONDS", 7 * 86400, minimum=60)
# A recording whose audio has not arrived this long after it was announced is given up on
# (state missing): its webhook goes out with an empty link and recording_state saying why.
RECORDING_WAIT_SECONDS = env_int("RECORDING_WAIT_SECONDS", 600, minimum=1)
# A file in a recordings folder is taken once its size has not changed for this long.
RECORDING_STABLE_SECONDS = env_int("RECORDING_STABLE_SECONDS", 2, minimum=0)
# Fetching a recording link (plugin FILES, a push naming a URL): largest size and time allowed.
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 500 * 1024 * 1024, minimum=1)
RECORDING_FETCH_TIMEOUT_SECONDS = env_int("RECORDING_FETCH_TIMEOUT_SECONDS", 300, minimum=1)
# The hub's own address as receivers reach it (https://hub.example.com): recording links start
# with it. Default: http://127.0.0.1:8000, the embedded demo's.
HUB_PUBLIC_URL = env_str("HUB_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
if RECORDINGS_STORAGE == "filesystem":
    _RECORDINGS_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": str(RECORDINGS_DIR), "base_url": None}}
elif RECORDINGS_STORAGE == "s3":
    if not RECORDINGS_S3_BUCKET:
        raise ImproperlyConfigured("RECORDINGS_STORAGE=s3 needs RECORDINGS_S3_BUCKET")
    _RECORDINGS_BACKEND = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": RECORDINGS_S3_BUCKET, "endpoint_url": RECORDINGS_S3_ENDPOINT_URL,
        "region_name": RECORDINGS_S3_REGION, "access_key": RECORDINGS_S3_ACCESS_KEY_ID,
        "secret_key": RECORDINGS_S3_SECRET_ACCESS_KEY, "location": RECORDINGS_S3_PREFIX,
        "file_overwrite": True, "default_acl": None, "querystring_auth": True,
        "querystring_expire": RECORDING_LINK_SECONDS, "signature_version": "s3v4",
        "addressing_style": "path"}}
else:
    raise ImproperlyConfigured(f"RECORDINGS_STORAGE: expected filesystem or s3, got {RECORDINGS_STORAGE!r}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "recordings": _RECORDINGS_BACKEND,
}

LOGIN_URL = "webui:login"
LOGIN_REDIRECT_URL = "webui:dashboard"
LOGOUT_REDIRECT_URL = "webui:login"

# Mail (team invitations). Without EMAIL_HOST the hub sends no mail: the owner is shown the
# invitation link to pass on.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PBX webhook hub <hub@localhost>")
HUB_INVITATION_DAYS = env_int("HUB_INVITATION_DAYS", 7, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# HTTPS only, unless DEBUG: plain-HTTP requests are redirected, and browsers are told (HSTS) to
# use HTTPS for this host for a year. Subdomains and the browsers' preload list are the
# operator's decision (both reach beyond this hub), so they stay off unless set.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Probes (load balancers, orchestrators) and Prometheus often call these over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Behind a TLS-terminating proxy the hub sees plain HTTP; the proxy says it was HTTPS in this
# header (e.g. X-Forwarded-Proto). Set it only when such a proxy stands in front, as Django then
# believes the header from whoever sends it.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header and not re.fullmatch(r"[A-Za-z0-9-]+", _proxy_ssl_header):
    raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER: expected a header name such as X-Forwarded-Proto, "
                               f"got {_proxy_ssl_header!r}")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# check --deploy warns while subdomains and preload are off: that is the choice made above.
SILENCED_SYSTEM_CHECKS = [check for check, on in (("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
                                                  ("security.W021", SECURE_HSTS_PRELOAD)) if not on]

# Client address behind reverse proxies (django-ipware). By default no forwarded header is
# trusted, so a client cannot choose its own address by sending X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS")
if TRUSTED_PROXY_COUNT and not TRUSTED_PROXY_IPS:
    # A count alone would believe the X-Forwarded-For of any client that reaches the hub
    # directly, and the whitelist could be passed by naming a whitelisted address in it.
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT is set but TRUSTED_PROXY_IPS is not: set TRUSTED_PROXY_IPS to the addresses "
        "(or networks) of the proxies in front of the hub, or TRUSTED_PROXY_COUNT=0 to trust no forwarded header")

# Outbound webhook requests refuse non-global addresses except inside these networks.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_networks("WEBHOOK_ALLOW_PRIVATE_NETWORKS")

# Webhook delivery engine (hub/services/delivery). Retry waits in seconds after each failed
# attempt, the first entry being the first attempt itself; each gets ±20 % jitter.
WEBHOOK_RETRY_SCHEDULE = env_int_list("WEBHOOK_RETRY_SCHEDULE", [0, 5, 300, 1800, 7200, 18000, 36000, 36000])
# An endpoint failing without a single success for this long is disabled (visibly, re-enable in the UI/API).
WEBHOOK_DISABLE_AFTER_DAYS = env_int("WEBHOOK_DISABLE_AFTER_DAYS", 5, minimum=1)
# Attempt log retention: the hub's default for attempts, which an account may change (below).
WEBHOOK_ATTEMPT_RETENTION_DAYS = env_int("WEBHOOK_ATTEMPT_RETENTION_DAYS", 30, minimum=1)
# How long each other kind of record is kept, in days, for accounts that set none of their own
# (the console's Data retention page; docs/retention.md). Raw PBX events, catalogue events and
# deliveries (with their payloads) are high-volume; calls and their legs (the call history) are
# kept longest. A delivery still pending or being sent is never purged.
RETENTION_PBX_EVENTS_DAYS = env_int("RETENTION_PBX_EVENTS_DAYS", 30, minimum=1)
RETENTION_CATALOGUE_EVENTS_DAYS = env_int("RETENTION_CATALOGUE_EVENTS_DAYS", 30, minimum=1)
RETENTION_DELIVERIES_DAYS = env_int("RETENTION_DELIVERIES_DAYS", max(30, WEBHOOK_ATTEMPT_RETENTION_DAYS), minimum=1)
RETENTION_CALLS_DAYS = env_int("RETENTION_CALLS_DAYS", 730, minimum=1)
if WEBHOOK_ATTEMPT_RETENTION_DAYS > RETENTION_DELIVERIES_DAYS:
    raise ImproperlyConfigured(f"WEBHOOK_ATTEMPT_RETENTION_DAYS ({WEBHOOK_ATTEMPT_RETENTION_DAYS}) must not exceed "
                               f"RETENTION_DELIVERIES_DAYS ({RETENTION_DELIVERIES_DAYS}): attempts are shown with their delivery")
if RETENTION_CALLS_DAYS < max(RETENTION_PBX_EVENTS_DAYS, RETENTION_CATALOGUE_EVENTS_DAYS, RETENTION_DELIVERIES_DAYS):
    raise ImproperlyConfigured(f"RETENTION_CALLS_DAYS ({RETENTION_CALLS_DAYS}) must be at least as long as the events' and "
                               f"deliveries' retention: a purged call takes its catalogue events with it")
# The purge (beat, hourly) deletes this many rows per statement and stops after this many
# seconds of work; what is left goes in the next run.
RETENTION_PURGE_BATCH = env_int("RETENTION_PURGE_BATCH", 5000, minimum=1)
RETENTION_PURGE_SECONDS = env_int("RETENTION_PURGE_SECONDS", 120, minimum=1)
RETENTION_PURGE_INTERVAL_SECONDS = env_int("RETENTION_PURGE_INTERVAL_SECONDS", 3600, minimum=1)
# PostgreSQL: deliveries and attempts live in weekly partitions; this many weeks are made ahead.
RETENTION_PARTITIONS_AHEAD_WEEKS = env_int("RETENTION_PARTITIONS_AHEAD_WEEKS", 4, minimum=1)
# A delivery claimed longer than its endpoint's timeout plus this margin belongs to a dead
# worker: the sweeper puts it back (the receiver may then see it twice, same webhook-id).
WEBHOOK_STUCK_MARGIN_SECONDS = env_int("WEBHOOK_STUCK_MARGIN_SECONDS", 60, minimum=1)
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 5, minimum=1)
# A pump with a backlog hands its worker slot back after this long and queues itself again,
# so endpoints with long backlogs take turns with the others.
WEBHOOK_PUMP_SLICE_SECONDS = env_int("WEBHOOK_PUMP_SLICE_SECONDS", 10, minimum=1)
# An idle pump waits this long for more work before it gives its worker thread back.
WEBHOOK_PUMP_IDLE_MS = env_int("WEBHOOK_PUMP_IDLE_MS", 500, minimum=0)
# What the worker's delivery tasks run: "loop", one scheduler thread per worker process for every
# endpoint (hub/services/delivery/engine.py), or "pump", a worker thread per busy endpoint
# (hub/services/delivery/pump.py; the two slice and idle settings above are the pumps').
WEBHOOK_ENGINE = env_str("WEBHOOK_ENGINE", "loop")
if WEBHOOK_ENGINE not in ("loop", "pump"):
    raise ImproperlyConfigured(f"WEBHOOK_ENGINE must be loop or pump, not {WEBHOOK_ENGINE!r}")
# loop: scheduler threads per worker process, the endpoints shared among them by id; each has
# one database connection (a round's round trips hold up only its share of the endpoints).
WEBHOOK_ENGINE_THREADS = env_int("WEBHOOK_ENGINE_THREADS", 4, minimum=1)
# loop: at most this many requests in flight per scheduler thread; beyond it deliveries stay
# pending (for another process, or for when answers free room) instead of waiting here.
WEBHOOK_ENGINE_MAX_IN_FLIGHT = env_int("WEBHOOK_ENGINE_MAX_IN_FLIGHT", 256, minimum=1)

# Celery workers run with a shorter GIL switch interval than Python's 5 ms (hub/celery.py).
WORKER_GIL_SWITCH_MICROSECONDS = env_int("WORKER_GIL_SWITCH_MICROSECONDS", 500, minimum=50)

# Celery: the broker only wakes workers up; the database holds the truth.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 30)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Longer than any task may run, so a slow task is not handed to a second worker meanwhile.
    # (The SQLAlchemy transport passes its options to create_engine, which refuses this one.)
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_TASK_TIME_LIMIT * 4
elif CELERY_BROKER_URL.startswith("sqla+sqlite"):
    # The embedded broker's file waits for its lock as long as the database does (sqlite3's
    # default is 5 s); kombu already takes messages in BEGIN IMMEDIATE transactions.
    CELERY_BROKER_TRANSPORT_OPTIONS["connect_args"] = {"timeout": 30}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker (and beat) reconnects to the broker for as long as it takes, not 100 times (Celery's
# default, some 45 minutes): a broker outage must never be what ends a hub process.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Pushes that carry their event time (native JSON, the CDR socket) may arrive this much out of
# order (retries after an outage or a timeout) and still give the catalogue events an in-order
# stream gives; every catalogue event of a push-fed PBX waits about this long for them
# (docs/ingest.md, "Pushes").
PUSH_LATENESS_SECONDS = env_int("HUB_PUSH_LATENESS_SECONDS", 30, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "close-idle-calls": {"task": "hub.close_idle_calls", "schedule": env_int("HUB_IDLE_SWEEP_SECONDS", 60, minimum=1)},
    # Catalogue events waiting for a followed file that went silent or got stuck (see docs/ingest.md).
    "flush-catalogue": {"task": "hub.flush_catalogue", "schedule": 15},
    "sweep-deliveries": {"task": "hub.sweep_deliveries", "schedule": WEBHOOK_SWEEP_SECONDS},
    # Retention (docs/retention.md): rolls partitions and purges every kind of record in batches.
    "purge-retention": {"task": "hub.purge_retention", "schedule": RETENTION_PURGE_INTERVAL_SECONDS},
    "click-to-call-sweep": {"task": "hub.click_to_call_sweep", "schedule": 15},
    # Recordings: links fetched, waits given up on, audio past its account's retention purged.
    "recordings-collect": {"task": "hub.recordings_collect", "schedule": 15},
    "recordings-purge": {"task": "hub.recordings_purge", "schedule": 3600},
}
# Task modules beyond the autodiscovered hub/tasks.py.
CELERY_IMPORTS = ["hub.click_to_call_tasks", "hub.delivery_tasks", "hub.recording_tasks"]

# The cache holds API throttle counters; per process by default, so production with several
# web processes sets CACHE_URL=redis://… for one shared count per key.
CACHE_URL = env_str("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hub"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL: expected locmem:// or redis://host:port/db, got {CACHE_URL!r}")

# Requests per API key, e.g. "600/min" (period: s, min, hour or day).
HUB_API_RATE = env_str("HUB_API_RATE", "600/min")
if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", HUB_API_RATE):
    raise ImproperlyConfigured(f"HUB_API_RATE: expected <number>/<s|min|hour|day>, got {HUB_API_RATE!r}")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PBX webhook hub API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Push ingest for phone systems (the hub's native JSON events and the 3CX Webhook "
        "plugin's requests), call history for CRMs, click-to-call and webhook subscriptions."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # Several serializers have a field named "status"; each choice set gets its own name here,
    # not one drf-spectacular would make up from a hash.
    "ENUM_NAME_OVERRIDES": {
        "ErrorStatusEnum": ["error"],
        "SuccessStatusEnum": ["success"],
        "VisitStatusEnum": ["answered", "abandoned"],
        "TriggerEnum": "hub.api.v1.webhooks.serializers.TRIGGER_NAMES",
        "KindEnum": "hub.api.ingest.serializers.PUSHABLE_KINDS",
        "RecordingKindEnum": ["call_recording", "voicemail"],
        "RecordingStateEnum": ["announced", "stored", "missing", "failed", "purged"],
    },
    # Enums as drf-spectacular makes them, then the 503 any operation gives during a database outage.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hub.api.schema.document_database_outage",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# prometheus_client takes the variable's mere presence for multiprocess mode, an empty value
# included (an env file copied from .env.example): its files would land in the working directory.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR") == "":
    del os.environ["PROMETHEUS_MULTIPROC_DIR"]
# Prometheus metrics (hub/metrics): GET /metrics on the web process; the worker and the ingest
# process serve their own on METRICS_HOST at these ports (0: not served). A scraper needs an
# address in METRICS_ALLOWED_NETWORKS or METRICS_TOKEN as a bearer token.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_HOST = env_str("METRICS_HOST", "127.0.0.1")
METRICS_WORKER_PORT = env_int("METRICS_WORKER_PORT", 9101, minimum=0)
METRICS_INGEST_PORT = env_int("METRICS_INGEST_PORT", 9102, minimum=0)
# Delivery families labelled by endpoint id: one series per endpoint, so off unless asked for.
METRICS_ENDPOINT_LABELS = env_bool("METRICS_ENDPOINT_LABELS", False)
for _name in ("METRICS_WORKER_PORT", "METRICS_INGEST_PORT"):
    if globals()[_name] > 65535:
        raise ImproperlyConfigured(f"{_name}: expected a port number (0 to 65535), got {globals()[_name]}")

# text (default): readable lines with key=value fields; json: one JSON object per line.
LOG_FORMAT = env_str("LOG_FORMAT", "text").lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT: expected text or json, got {LOG_FORMAT!r}")

# Every handler masks credentials (hub/log_redaction.py): a push URL carries its ingest token.
# Django's own "django" and "django.server" handlers are replaced, or they would write it in clear.
# Lines carry their request's or task's fields (request id, account, PBX: hub/logs) in the
# format LOG_FORMAT names; runserver's own request lines stay in its format unless that is json.
_LINE_FORMATTER = {"()": f"hub.logs.formatters.{'Json' if LOG_FORMAT == 'json' else 'Text'}Formatter"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hub.log_redaction.RedactSecrets"},
                "context": {"()": "hub.logs.context.ContextFields"}},
    "formatters": {
        "plain": _LINE_FORMATTER,
        "server": _LINE_FORMATTER if LOG_FORMAT == "json" else {
            "()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact", "context"]},
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["redact", "context"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
