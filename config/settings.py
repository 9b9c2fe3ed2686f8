"""Settings for the committee registry: one module, driven by environment variables.

With nothing set it runs on an embedded SQLite file under var/ and runs Celery
tasks in-process; DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

INSECURE_SECRET_KEY = "django-insecure-development-only-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or ("" if PRODUCTION else INSECURE_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set to a long random value "
        "in production."
    )

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "simple_history",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "committees",
    "areas",
    "members",
    "idempotency",
    "mandates",
    "reports",
    "notifications",
    "portal",
    "opendata",
    "api",
    "work",
    "packages",
    "demo",
    "config",
]

MIDDLEWARE = [
    # Probes first: /healthz and /readyz answer before host checks, HTTPS redirects and sessions.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "config.middleware.MalformedCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.VietnameseFirstLocaleMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # The portal's and the API's reads on the read replica, when one is configured.
    "config.db_router.ReplicaReadsMiddleware",
    # Innermost, so its process_exception sees a view's database error first.
    "config.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.work_queue",
                "portal.context_processors.site_menu",
            ],
        },
    },
]

# Database: PostgreSQL through DATABASE_URL, otherwise an embedded SQLite file.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    # Fail fast when the server is away, so pages answer 503 instead of hanging.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
        )
    # The password may come from a secret file rather than the URL.
    if env_str("DATABASE_PASSWORD"):
        DATABASES["default"]["PASSWORD"] = env_str("DATABASE_PASSWORD")
    # A read replica (docs/deploy.md §8): the portal's and the API's reads go there
    # (config/db_router.py); the test suite uses the primary's test database for it.
    DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = {
            **dj_database_url.parse(
                DATABASE_REPLICA_URL,
                conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
                conn_health_checks=True,
            ),
            "TEST": {"MIRROR": "default"},
        }
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
        )
        if env_str("DATABASE_PASSWORD") and not DATABASES["replica"].get("PASSWORD"):
            DATABASES["replica"]["PASSWORD"] = env_str("DATABASE_PASSWORD")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "registry.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]  # does nothing without a replica
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/committees/"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions
GUARDIAN_RAISE_403 = False

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Day-first dates in every language (config/formats); never month first.
FORMAT_MODULE_PATH = ["config.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
DATE_FORMAT = "d/m/Y"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Report PDFs live outside MEDIA_ROOT and are only ever served through a view.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 2)
}
# Worker liveness (reports/liveness.py): each worker refreshes a Redis key every TTL/4 seconds;
# beat runs the recovery every REPORTS_RECOVERY_INTERVAL seconds, and a report whose worker's
# key has expired (or whose message is nowhere) is queued again: within TTL + interval + one
# render of the worker dying, far under two minutes.
REPORTS_WORKER_HEARTBEAT_TTL = env_int("REPORTS_WORKER_HEARTBEAT_TTL", 20)
REPORTS_RECOVERY_INTERVAL = env_int("REPORTS_RECOVERY_INTERVAL", 15)
REPORTS_QUEUED_GRACE = env_int("REPORTS_QUEUED_GRACE", 30)
# Renders one user may have queued in any hour (new, regenerated or retried reports; 0: no
# limit). Administrators and the scheduler are not limited.
REPORTS_REQUESTS_PER_HOUR = env_int("REPORTS_REQUESTS_PER_HOUR", 20)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues a task must not hang when Redis is away: a few short tries, then
# the error reaches the caller, which says the task could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "registry")
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-reports": {
        "task": "reports.tasks.dispatch_due_reports",
        "schedule": 300.0,
    },
    "recover-orphaned-reports": {
        "task": "reports.tasks.recover_orphaned_reports",
        "schedule": float(REPORTS_RECOVERY_INTERVAL),
        # A round that could not run in time is dropped; the next one does the same work.
        "options": {"expires": REPORTS_RECOVERY_INTERVAL * 2},
    },
    "sweep-stuck-reports": {
        "task": "reports.tasks.sweep_stuck_reports",
        "schedule": 600.0,
    },
    "rebuild-open-data": {
        "task": "opendata.tasks.rebuild_open_data",
        "schedule": env_int("OPEN_DATA_REBUILD_SECONDS", 3600),
    },
    # Builds the digests and immediate e-mails whose schedule row is due (notifications app).
    "dispatch-due-notifications": {
        "task": "notifications.tasks.dispatch_due_notifications",
        "schedule": 300.0,
    },
}

# Public pages: the directory, committee and person pages and search, read without signing in
# (the public fields only). One switch turns them off; the API stays public either way.
PUBLIC_PAGES = env_bool("PUBLIC_PAGES", default=True)
# Seconds a public page stays cached; any registry write moves the revision, so it is fresh.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 600)
# Open data: the licence every download is published under.
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE", "Creative Commons Attribution 4.0 (CC BY 4.0)")
OPEN_DATA_LICENCE_URL = env_str(
    "OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
)

# E-mail: SMTP in production (secrets from *_FILE too); in development a file per message
# under var/mail, or EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "so-dang-ky-ban-chi-dao@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
# Links in e-mails point here.
REGISTRY_BASE_URL = env_str("REGISTRY_BASE_URL", "http://127.0.0.1:8000")
# Delivery: attempts before a message is marked failed, and the first retry's delay (doubling).
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)
NOTIFY_RETRY_BASE_SECONDS = float(env_str("NOTIFY_RETRY_BASE_SECONDS", "60") or 60)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.RegistryPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Committee registry API",
    "DESCRIPTION": "Steering committees, members, mandates and targets of the city government.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# The cache only holds API throttling counters: on Redis it is shared by the web processes, and
# a Redis outage turns cache calls into misses rather than errors (config/cache.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not REDIS_URL
    else {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
# Sessions live in the database, so a Redis outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Uploads: form data up to 2.5 MB in memory; any request body over MAX_REQUEST_BYTES is refused
# with a clear message before it is read (roster spreadsheets have their own 5 MB limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_REQUEST_BYTES = env_int("DJANGO_MAX_REQUEST_BYTES", 10 * 1024 * 1024)

# Login throttling: 5 failures per user name and address, then 15 minutes of cool-off; and
# AXES_ADDRESS_FAILURE_LIMIT failures from one address whatever the user names (one password
# tried across many accounts), then that address is locked for the same time.
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_HANDLER = "config.throttling.RegistryAxesHandler"
AXES_LOCKOUT_CALLABLE = "config.middleware.login_locked_out"
# How many proxies in front of the app append to X-Forwarded-For (0: none, the app is reached
# directly and the header is ignored; 1: one TLS proxy; 2: a load balancer and a proxy...).
# The client is the N-th address from the right; entries further left are what the client sent.
# (DJANGO_TRUSTED_PROXY_COUNT is read too, for deployments that set the older name.)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("DJANGO_TRUSTED_PROXY_COUNT", 0))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content Security Policy: everything is served from this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
AXES_VERBOSE = False
