"""Django settings, derived from the typed :class:`plaza.config.PlazaSettings`."""

from __future__ import annotations

import os
import sys
from typing import Any

import dj_database_url

from plaza.config import BASE_DIR, load

PLAZA = load()
DATA_DIR = PLAZA.data_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)
TESTING = "pytest" in sys.modules or os.environ.get("PLAZA_TESTING") == "1"

SECRET_KEY = PLAZA.resolved_secret_key()
DEBUG = PLAZA.debug
ALLOWED_HOSTS = PLAZA.allowed_hosts
CSRF_TRUSTED_ORIGINS = [PLAZA.public_url]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "axes",
    "corsheaders",
    "oauth2_provider",
    "accounts",
    "network",
    "posts",
    "feeds",
    "notifications",
    "demo",
    "mastodon",
    "studio",
    "search",
    "groups",
    "messaging",
    "moderation",
    "filters",
    "lists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.TimezoneMiddleware",
    "mastodon.oauth.JsonOAuthBodyMiddleware",
    "mastodon.oauth.ApiTrailingSlashMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plaza.urls"
ASGI_APPLICATION = "plaza.asgi.application"
WSGI_APPLICATION = "plaza.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.viewer",
                "messaging.context_processors.unread_messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
if PLAZA.database_url:
    DATABASES: dict[str, Any] = {
        "default": dj_database_url.parse(
            PLAZA.database_url, conn_max_age=0, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["pool"] = not TESTING
        if PLAZA.database_prepared_statements:
            # Parameters bound on the server, and a statement run a few times on a connection
            # prepared there: PostgreSQL then skips parsing and planning it again. Measured on
            # the group page: a wide join's 0.57 ms became 0.15 ms; every page runs ~10 such
            # statements. (Django's default is neither: connection poolers in transaction mode
            # cannot keep prepared statements — hence the switch.)
            options["server_side_binding"] = True
            options["prepare_threshold"] = 5
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "plaza.sqlite3",
            # Web threads are long-lived (plaza/asgi.py): keep their connections open.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets the web server read while the task consumer writes; IMMEDIATE makes
                # writers queue on the lock instead of failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=10000; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- tasks ----------------------------------------------------------------------------------
HUEY: dict[str, Any]
if PLAZA.task_immediate or TESTING:
    HUEY = {"name": "plaza", "immediate": True}
elif PLAZA.redis_url:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "plaza",
        "url": PLAZA.redis_url,
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        # WAL + synchronous=NORMAL, like the main database: Huey's default (FULL) flushed the
        # disk under the queue's exclusive lock on every enqueue and dequeue (plaza/db.py).
        "huey_class": "plaza.db.PlazaSqliteHuey",
        "name": "plaza",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": False,
        "timeout": 20,  # busy timeout (s), as the main database's
        # Nothing reads task return values: storing each one was one more locked write.
        "results": False,
        # SQLite storage is polled; keep the idle back-off short so fan-out starts promptly.
        "consumer": {
            "workers": 2,
            "worker_type": "thread",
            "periodic": True,
            "initial_delay": 0.05,
            "backoff": 1.15,
            "max_delay": 0.5,
        },
    }

# --- cache ----------------------------------------------------------------------------------
# "cards": rendered post cards (posts/card_render.py). Keys are digests of everything a card
# shows, so entries never go stale; the size limits only bound memory. Its own alias so that
# thousands of cards don't push sessions and panels out of the default cache.
if PLAZA.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": PLAZA.redis_url,
        },
        "cards": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": PLAZA.redis_url,
            "KEY_PREFIX": "cards",
            "TIMEOUT": 24 * 3600,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Sessions live here too (cached_db): the default 300 entries would drop them.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        "cards": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cards",
            "TIMEOUT": 24 * 3600,
            # ~8 KB a card (pickled): at most ~80 MB per web process, reached only by an
            # instance whose readers see 10,000 different posts a day.
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
    }

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountModelBackend",
]
# Sessions are read on every request: from the cache first, the database when it misses.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "feeds:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_ENABLED = not TESTING or os.environ.get("PLAZA_TEST_AXES") == "1"

# --- OAuth 2 and the client APIs ----------------------------------------------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "mastodon.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read everything your account can see",
        "write": "Post and change things for you",
        "follow": "Follow, block and mute (legacy)",
        "push": "Receive push notifications",
        "profile": "Read only your own profile",
        "admin:read": "Read moderation data",
        "admin:write": "Moderate",
    },
    "DEFAULT_SCOPES": ["read"],
    # Mastodon clients keep tokens until revoked; they rarely implement refresh.
    "ACCESS_TOKEN_EXPIRE_SECONDS": 10 * 365 * 24 * 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": None,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": False,  # optional, but S256 is verified whenever a client sends it
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn"],
    "OAUTH2_VALIDATOR_CLASS": "mastodon.oauth.PlazaOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "mastodon.scopes.MastodonScopes",
    "REQUEST_APPROVAL_PROMPT": "auto",
}
# Mastodon clients are web apps on other origins (Elk, Phanpy) and native apps.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/|oauth/token|oauth/revoke|\.well-known/|nodeinfo/).*$"
CORS_EXPOSE_HEADERS = ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
]

# --- i18n / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "node_modules")]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- email ----------------------------------------------------------------------------------
EMAIL_BACKEND = PLAZA.email_backend
DEFAULT_FROM_EMAIL = PLAZA.default_from_email

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PLAZA.public_url.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"huey": {"level": "INFO" if not TESTING else "WARNING"}},
}
