"""Palier's one settings file.

Every value that differs between deployments comes from the environment (see README.md,
"Configuration"). Nothing secret is written here. Defaults are safe for production; the
development conveniences (generated secret key, console e-mail) only apply with PALIER_DEBUG=1.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean from the environment: 1/true/yes/on (any case) are true."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment, ignoring blanks."""
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    """Read an integer from the environment, at least `minimum` when given."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_CHECKOUT = PACKAGE_DIR.parents[1]

# Writable data (SQLite database, generated development secret, uploaded media).
# From a source checkout it is the repository's var/; an installed package uses ./var.
VAR_DIR = Path(
    os.environ.get(
        "PALIER_VAR_DIR",
        _SOURCE_CHECKOUT / "var"
        if (_SOURCE_CHECKOUT / "pyproject.toml").exists()
        else Path.cwd() / "var",
    )
).resolve()

DEBUG: bool = env_bool("PALIER_DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("PALIER_SECRET_KEY", "").strip()
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "PALIER_SECRET_KEY must be set when PALIER_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Development only: one key per checkout, kept out of git under var/.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY: str = _secret_key()

ALLOWED_HOSTS: list[str] = env_list(
    "PALIER_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS: list[str] = env_list("PALIER_CSRF_TRUSTED_ORIGINS")

# Absolute base URL used in e-mails and exported identifiers (CASE URIs).
BASE_URL: str = os.environ.get("PALIER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# "dsfr": the State design system, for State operators only. "neutral": Palier's own theme.
PALIER_THEME: str = os.environ.get("PALIER_THEME", "neutral").strip().lower()
if PALIER_THEME not in {"dsfr", "neutral"}:
    raise ImproperlyConfigured(f"PALIER_THEME must be 'dsfr' or 'neutral', got {PALIER_THEME!r}.")

INSTALLED_APPS = [
    # Django's admin with Palier's role-gated management site as the default site, so every
    # app registers its models with django.contrib.admin.site without importing accounts.
    "palier.accounts.apps.ManagementAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "palier.core",
    "palier.accounts",
    "palier.organisations",
    "palier.frameworks",
    "palier.items",
    "palier.assessments",
    "palier.psychometrics",
    "palier.training",
    "palier.campaigns",
    "palier.certification",
    "palier.steering",
    "palier.integrations.oidc",
    "palier.integrations.xapi",
    "palier.integrations.lti",
    "palier.platform",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle timeout and absolute lifetime; signs out before the login requirement is checked.
    "palier.accounts.sessions.SessionTimeoutMiddleware",
    # Every page needs a signed-in user unless its view says @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Serves the collected static files (`palier collectstatic`) in production.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "palier.urls"
WSGI_APPLICATION = "palier.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "palier.core.context_processors.palier",
                "palier.accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL: postgres://user:password@host:5432/name for production; the default is an
# embedded SQLite file under var/ in WAL mode (readers never block the writer) with a busy
# timeout and IMMEDIATE transactions, so concurrent writers queue instead of failing.
SQLITE_BUSY_TIMEOUT_SECONDS = 20
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'palier.sqlite3'}"),
        conn_max_age=int(os.environ.get("PALIER_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    }
# PostgreSQL's JIT compiles every query whose estimated cost is high before running it; on
# the steering pages' counts that took 5 of 6 seconds (docs/performance.md), so the
# application's connections turn it off.
POSTGRES_OPTIONS = {"options": "-c jit=off"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRES_OPTIONS)
# DATABASE_REPLICA_URL (optional, same syntax as DATABASE_URL): a read replica of the default
# database (e.g. a PostgreSQL streaming standby). When set, the `replica` alias exists and
# the models that declare `read_from_replica = True` (the steering aggregates) are read from
# it (core/db_router.py); every write, every other read and every migration stays on
# `default`. In tests the alias mirrors the test database.
REPLICA_DB_ALIAS = "replica"
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES[REPLICA_DB_ALIAS] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"].strip(),
        conn_max_age=int(os.environ.get("PALIER_DB_CONN_MAX_AGE", "0")),
    )
    DATABASES[REPLICA_DB_ALIAS]["TEST"] = {"MIRROR": "default"}
    if DATABASES[REPLICA_DB_ALIAS]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES[REPLICA_DB_ALIAS].setdefault("OPTIONS", {}).update(POSTGRES_OPTIONS)
DATABASE_ROUTERS = ["palier.core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, refusing demo accounts whenever debug is off.
    "palier.accounts.backends.AccountBackend",
]
# Argon2id at OWASP's minimum (19 MiB, t=2, p=1); it also verifies older Argon2 hashes
# (e.g. Django's 100 MiB default), which are rehashed at the next login.
PASSWORD_HASHERS = [
    "palier.accounts.hashers.PalierArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Everyone lands on their home ("Mon espace") after signing in.
LOGIN_REDIRECT_URL = "platform:my_space"
LOGOUT_REDIRECT_URL = "platform:home"
# An e-mail confirmation link stays valid three days; a password-reset link one day.
EMAIL_CONFIRMATION_MAX_AGE_SECONDS = 3 * 24 * 3600
PASSWORD_RESET_TIMEOUT = 24 * 3600

# --- Client address -------------------------------------------------------------------------
# Behind reverse proxies (PALIER_BEHIND_PROXY=1), the client address is the one appended to
# X-Forwarded-For by the outermost of PALIER_TRUSTED_PROXY_HOPS proxies (core.http.client_ip);
# otherwise the header is ignored and REMOTE_ADDR is the client.
PALIER_BEHIND_PROXY: bool = env_bool("PALIER_BEHIND_PROXY", default=False)
PALIER_TRUSTED_PROXY_HOPS: int = env_int("PALIER_TRUSTED_PROXY_HOPS", 1, minimum=1)

# Login throttling (accounts/lockout.py, docs/security.md), counted over one hour: five
# failures lock one (account, client address) pair; PALIER_LOGIN_FAILURES_PER_CLIENT failures
# from one address over any accounts lock that address (password spraying);
# PALIER_LOGIN_FAILURES_PER_ACCOUNT failures on one account lock it for browsers that never
# signed in to it (the owner's known browsers stay allowed).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "palier.accounts.lockout.LoginLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "palier.core.http.client_ip"
PALIER_LOGIN_FAILURES_PER_CLIENT: int = env_int("PALIER_LOGIN_FAILURES_PER_CLIENT", 100, minimum=1)
PALIER_LOGIN_FAILURES_PER_ACCOUNT: int = env_int("PALIER_LOGIN_FAILURES_PER_ACCOUNT", 20, minimum=1)
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions (accounts/sessions.py): learners are signed out after 2 hours idle and 14 days at
# most; staff, administrators, platform roles and organisation teams after 30 minutes idle
# and 12 hours at most.
PALIER_SESSION_IDLE_MINUTES: int = env_int("PALIER_SESSION_IDLE_MINUTES", 120, minimum=1)
PALIER_SESSION_MAX_HOURS: int = env_int("PALIER_SESSION_MAX_HOURS", 14 * 24, minimum=1)
PALIER_PRIVILEGED_SESSION_IDLE_MINUTES: int = env_int(
    "PALIER_PRIVILEGED_SESSION_IDLE_MINUTES", 30, minimum=1
)
PALIER_PRIVILEGED_SESSION_MAX_HOURS: int = env_int(
    "PALIER_PRIVILEGED_SESSION_MAX_HOURS", 12, minimum=1
)
# The cookie lives as long as the longest session; the middleware enforces the rest.
SESSION_COOKIE_AGE = max(PALIER_SESSION_MAX_HOURS, PALIER_PRIVILEGED_SESSION_MAX_HOURS) * 3600

# E-mails sent on anonymous requests (sign-up, password reset, confirmation resend) are
# throttled per address and per client (accounts/throttle.py, counters in the database so
# that every server process shares them), over one hour.
PALIER_EMAILS_PER_ADDRESS_PER_HOUR: int = env_int(
    "PALIER_EMAILS_PER_ADDRESS_PER_HOUR", 3, minimum=1
)
PALIER_EMAILS_PER_CLIENT_PER_HOUR: int = env_int("PALIER_EMAILS_PER_CLIENT_PER_HOUR", 20, minimum=1)

# Problem reports on items: at most this many per learner per rolling hour, and one open
# report per learner and item version (the triage queue is read by people).
PROBLEM_REPORTS_PER_HOUR = int(os.environ.get("PALIER_PROBLEM_REPORTS_PER_HOUR", "10"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("PALIER_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("PALIER_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("PALIER_HSTS_PRELOAD", default=True)
    if PALIER_BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: only our own origin; inline scripts need the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Positioning test ---------------------------------------------------------------------
# Days a learner waits before taking the positioning test again.
PALIER_RETAKE_COOLDOWN_DAYS = int(os.environ.get("PALIER_RETAKE_COOLDOWN_DAYS", "4"))
# Time-limit multiplier for learners with extra time (tiers-temps).
PALIER_EXTRA_TIME_FACTOR = float(os.environ.get("PALIER_EXTRA_TIME_FACTOR", "1.33"))

# --- Calibration --------------------------------------------------------------------------
# Answers a pretest item needs before a fixed-parameter calibration proposes its parameters
# (docs/calibration.md): about the size at which a 2PL difficulty's SE falls near 0.15 logit.
PALIER_PRETEST_RESPONSES: int = env_int("PALIER_PRETEST_RESPONSES", 300, minimum=1)

# --- Verifiable credentials ---------------------------------------------------------------
# Ed25519 keys that sign the certificates' Open Badges credentials and the revocation status
# list (certification/keys.py, docs/certification.md): base64url seeds, comma-separated; the
# first signs, the others stay published so that credentials they signed still verify after
# a rotation. Generate one with `palier credential_key`. Unset, debug runs use a development
# key derived from SECRET_KEY; outside debug no credential is issued and
# `palier check --deploy` reports it.
PALIER_CREDENTIAL_KEY: list[str] = env_list("PALIER_CREDENTIAL_KEY")

# --- Sign-in with OpenID Connect (integrations/oidc, docs/integrations.md) ----------------
# The national professional login (Pro Santé Connect, or another OpenID provider): off unless
# PALIER_OIDC_ISSUER and PALIER_OIDC_CLIENT_ID are set. The secret comes only from here.
# PALIER_OIDC_CLAIMS (JSON object) overrides where each profile field is read in the claims
# (dotted paths, e.g. "SubjectRefPro.exercices.0.codeProfession");
# PALIER_OIDC_PROFESSION_POPULATIONS (JSON: profession code -> population code, for students)
# and PALIER_OIDC_PRACTICE_MODE_STATUSES (JSON: practice-mode code -> learner status) replace
# the default tables of integrations/oidc/claims.py.
PALIER_OIDC_ISSUER: str = os.environ.get("PALIER_OIDC_ISSUER", "").strip().rstrip("/")
PALIER_OIDC_CLIENT_ID: str = os.environ.get("PALIER_OIDC_CLIENT_ID", "").strip()
PALIER_OIDC_CLIENT_SECRET: str = os.environ.get("PALIER_OIDC_CLIENT_SECRET", "").strip()
PALIER_OIDC_SCOPES: list[str] = env_list("PALIER_OIDC_SCOPES", "openid")
PALIER_OIDC_ACR_VALUES: str = os.environ.get("PALIER_OIDC_ACR_VALUES", "").strip()
PALIER_OIDC_NAME: str = os.environ.get("PALIER_OIDC_NAME", "Pro Santé Connect").strip()
PALIER_OIDC_CLAIMS: str = os.environ.get("PALIER_OIDC_CLAIMS", "").strip()
PALIER_OIDC_PROFESSION_POPULATIONS: str = os.environ.get(
    "PALIER_OIDC_PROFESSION_POPULATIONS", ""
).strip()
PALIER_OIDC_PRACTICE_MODE_STATUSES: str = os.environ.get(
    "PALIER_OIDC_PRACTICE_MODE_STATUSES", ""
).strip()
# --- LTI 1.3 tool (integrations/lti, docs/integrations.md) --------------------------------
# Palier's RSA private key in PEM (newlines or literal "\n"); LTI is off while it is unset.
# PALIER_LTI_PREVIOUS_KEY, the key before a rotation, stays published in the tool's JWKS so
# that platforms still verify what it signed; it signs nothing.
PALIER_LTI_KEY: str = os.environ.get("PALIER_LTI_KEY", "")
PALIER_LTI_PREVIOUS_KEY: str = os.environ.get("PALIER_LTI_PREVIOUS_KEY", "")

# --- E-mail -------------------------------------------------------------------------------
# PALIER_EMAIL_BACKEND: console (default, prints e-mails), file (`make run`: one .eml file
# per message in PALIER_EMAIL_DIR, var/mail/ by default, and a line on the console), smtp, or
# locmem (tests).
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "palier.core.mail.EmlFileBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = os.environ.get("PALIER_EMAIL_BACKEND", "console").strip().lower()
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"PALIER_EMAIL_BACKEND must be one of {sorted(_EMAIL_BACKENDS)}, got {_email_backend!r}."
    )
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = Path(os.environ.get("PALIER_EMAIL_DIR", VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("PALIER_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PALIER_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("PALIER_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PALIER_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PALIER_EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get(
    "PALIER_DEFAULT_FROM_EMAIL", "Palier <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks (django.tasks API) --------------------------------------------------
# "database": tasks are stored and run by `palier db_worker`; "immediate": run inline.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("PALIER_TASKS_BACKEND", "database").strip().lower()
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"PALIER_TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}, got {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# --- xAPI learning records (integrations/xapi, docs/integrations.md) ------------------------
# PALIER_XAPI_ENDPOINT: the LRS's xAPI base URL (the one that ends before "statements", e.g.
# https://lrs.example.org/xAPI/). Unset, the integration is off and nothing is recorded.
# Credentials: PALIER_XAPI_USERNAME and PALIER_XAPI_PASSWORD (HTTP Basic), or PALIER_XAPI_KEY
# (sent as "Authorization: Bearer <key>"); secrets come from the environment only.
PALIER_XAPI_ENDPOINT: str = os.environ.get("PALIER_XAPI_ENDPOINT", "").strip()
PALIER_XAPI_USERNAME: str = os.environ.get("PALIER_XAPI_USERNAME", "")
PALIER_XAPI_PASSWORD: str = os.environ.get("PALIER_XAPI_PASSWORD", "")
PALIER_XAPI_KEY: str = os.environ.get("PALIER_XAPI_KEY", "")
PALIER_XAPI_TIMEOUT_SECONDS: int = env_int("PALIER_XAPI_TIMEOUT_SECONDS", 10, minimum=1)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"
# English pages write dates day-month-year ("7 December 2026"), not Django's US formats.
FORMAT_MODULE_PATH = ["palier.core.formats"]

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("PALIER_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PALIER_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Logging: no personal data; requests are logged by path only --------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PALIER_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "ERROR"}},
}
