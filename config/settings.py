"""Settings for LLM Reference, read from the environment (see README "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "config.apps.LLMRefAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # its bundled Swagger UI assets, served by WhiteNoise: /api/v1/docs loads nothing from a CDN
    "catalog",
    "comparisons",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache, so API answers it serves count against the API's rate limit too.
    "comparisons.api.throttle.ApiRateLimitMiddleware",
    # Right after WhiteNoise: a cached public page or a 304 costs none of the middleware below.
    "comparisons.pagecache.PageCacheMiddleware",
    # Keeps the last good copy of each public page, served when the database is down (config/stale.py).
    "config.stale.StaleCopyMiddleware",
    "config.db_router.ReplicaRoutingMiddleware",
    # After the router: a public read runs in one snapshot of its database and names its catalog revision.
    "comparisons.snapshot.RevisionSnapshotMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}"}
# Optional read replica: public page reads go there, everything else to the primary (config/db_router.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the primary's test database through it
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
# Behind PgBouncer in transaction mode server-side cursors (.iterator()) cannot work: turn them off.
if env_flag("DATABASE_DISABLE_SERVER_SIDE_CURSORS"):
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
# After a request that wrote, the client reads from the primary for this long (replication lag).
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage degrades to "no cache" (logged once), never a 500: config/cache.py.
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "llmref",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Stale-if-error: a public page's last good copy is refreshed at most once a minute and kept for a day.
STALE_COPY_REFRESH_SECONDS = 60
STALE_COPY_MAX_AGE_SECONDS = 24 * 3600

# Admin sign-in: django-axes counts failures per (username, client address) and locks that pair out;
# attempts and lockouts are logged and listed in the admin (Axes section), where a superuser can clear them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
OTP_TOTP_ISSUER = "LLM Reference"

# The public-page cache (comparisons/pagecache.py), keyed on the catalog revision.
PAGE_CACHE_ENABLED = env_flag("LLMREF_PAGE_CACHE", True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_REVISION_TTL = float(os.environ.get("LLMREF_PAGE_CACHE_REVISION_TTL", "1"))
PAGE_CACHE_MAX_AGE = 60
PAGE_CACHE_S_MAXAGE = 60
PAGE_CACHE_STALE_WHILE_REVALIDATE = 600
PAGE_CACHE_SHARED_TIMEOUT = 24 * 3600
PAGE_CACHE_EXCLUDED_PATHS = frozenset({"/healthz"})


def _build_id() -> str:
    """Part of every page key and ETag: a deploy with other code or templates never serves old pages."""
    if os.environ.get("LLMREF_BUILD_ID"):
        return os.environ["LLMREF_BUILD_ID"]
    import hashlib

    # From the files' contents, so every server of one release agrees (shared cache entries, ETags).
    digest = hashlib.blake2b(digest_size=4)
    for app in ("catalog", "comparisons", "config", "templates", "static"):
        for path in sorted((BASE_DIR / app).rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".js", ".svg"} and path.is_file():
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


BUILD_ID = _build_id()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_flag("DJANGO_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Hashed file names need `collectstatic`; `make test` and `make run` set DJANGO_STATIC_MANIFEST=0 / debug.
# Without collectstatic, serve straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Requests per client IP to /api/v1/ (django-ninja throttle, e.g. "300/m"); over it: 429 with Retry-After.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/m")

# Security by default; pages load no third-party code and need no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "report-uri": ["/csp-report/"],
}
# The CSP report endpoint keeps at most this many bytes of a report and this many reports per client per minute.
CSP_REPORT_MAX_BYTES = 8 * 1024
CSP_REPORTS_PER_MINUTE = 20
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # site.js falls back to the cookie when a page has no csrf-token meta.
# Staff sessions end after DJANGO_SESSION_AGE seconds (8 hours by default) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# HTTPS (production, debug off). The app sits behind a TLS-terminating proxy (deploy/nginx.conf) that sets
# X-Forwarded-Proto; DJANGO_SECURE_PROXY_SSL_HEADER=1 trusts that header (only when the proxy overwrites it).
if not DEBUG:
    SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", False)
# Behind the proxy, client addresses (lockouts, rate limits) come from its X-Forwarded-For: config/security.py.
BEHIND_PROXY = env_flag("DJANGO_SECURE_PROXY_SSL_HEADER")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS preload is a commitment browsers ship for months (hstspreload.org): opt-in with DJANGO_HSTS_PRELOAD=1,
# so the deploy check's "not preloaded" warning is silenced only while the operator has not opted in.
SILENCED_SYSTEM_CHECKS = [] if DEBUG or env_flag("DJANGO_HSTS_PRELOAD") else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Review notifications (catalog.review.notifications). Development prints mail to the console; production
# sets DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("EMAIL_HOST", ""),
                "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_flag("EMAIL_USE_TLS") or None,
            }.items()
            if value
        }
        if not DEBUG and "smtp" in os.environ.get("DJANGO_EMAIL_BACKEND", "smtp")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "LLM Reference <review@localhost>")
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Importers: an imported price that differs from a live price another source backs by more than this much
# (USD per 1M, and share of the price: both must be exceeded) is flagged as "sources disagree" for review.
IMPORT_PRICE_TOLERANCE = ("0.005", "0.01")
