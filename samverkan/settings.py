"""Samverkan settings, all taken from the environment.

SAMVERKAN_ENV chooses the mode: ``development`` (default, SQLite under var/),
``test`` or ``production``. Production refuses to start without its secrets and
keys; development reads generated ones from ``var/samverkan.env`` (written by
script/server, never committed).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from samverkan.crypto import KeyRing, validate_blind_index_key, validate_linkage_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SAMVERKAN_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# The generated development file is never read in production, where a
# leftover copy would otherwise bring development keys along.
if env.str("SAMVERKAN_ENV", default="") != "production" and (VAR_DIR / "samverkan.env").exists():
    env.read_env(VAR_DIR / "samverkan.env", overwrite=False)

ENVIRONMENT = env.str("SAMVERKAN_ENV", default="development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"SAMVERKAN_ENV must be development, test or production, not {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("SAMVERKAN_DEBUG", default=False)
# Demo mode shows the demo password and live TOTP codes; never in production.
DEMO_MODE = env.bool("SAMVERKAN_DEMO", default=False)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set (see docs/operations.md).")
    return value


if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SAMVERKAN_DEBUG must be off in production.")
if PRODUCTION and DEMO_MODE:
    raise ImproperlyConfigured("SAMVERKAN_DEMO must be off in production.")

SECRET_KEY = _required("SAMVERKAN_SECRET_KEY")
# Field-encryption key ring, "id:base64key" pairs, the first one current;
# deliberately independent of SECRET_KEY.
FIELD_ENCRYPTION_KEYS = _required("SAMVERKAN_FIELD_KEYS")
KeyRing.parse(FIELD_ENCRYPTION_KEYS)  # a malformed key ring stops the start, not a later read
# Keyed blind indexes for exact search over encrypted names and dates of birth;
# a key of its own so that the index cannot be used to decrypt and vice versa.
BLIND_INDEX_KEY = _required("SAMVERKAN_BLIND_INDEX_KEY")
validate_blind_index_key(BLIND_INDEX_KEY, FIELD_ENCRYPTION_KEYS)
AUDIT_CHECKPOINT_KEY = _required("SAMVERKAN_AUDIT_CHECKPOINT_KEY")
if len(AUDIT_CHECKPOINT_KEY) < 32:
    raise ImproperlyConfigured("SAMVERKAN_AUDIT_CHECKPOINT_KEY must be at least 32 characters.")
# Privacy-preserving record linkage: the secret that keys the Bloom-filter
# encodings of persons (samverkan.linkage). Shared with the agencies that
# encode their own lists, so it is a key of its own, never a data key.
LINKAGE_SECRET = (
    _required("SAMVERKAN_LINKAGE_SECRET")
    if PRODUCTION
    else env.str("SAMVERKAN_LINKAGE_SECRET", default="")
)
if LINKAGE_SECRET:
    validate_linkage_secret(LINKAGE_SECRET, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY)

if PRODUCTION:
    ALLOWED_HOSTS = env.list("SAMVERKAN_ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("SAMVERKAN_ALLOWED_HOSTS must name the public host names.")
else:
    ALLOWED_HOSTS = env.list(
        "SAMVERKAN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )

SECRET_KEY_FALLBACKS = env.list("SAMVERKAN_SECRET_KEY_FALLBACKS", default=[])
AUDIT_CHECKPOINT_DIR = Path(
    env.str("SAMVERKAN_AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints"))
)

INSTALLED_APPS = [
    "samverkan.accounts",
    "samverkan.audit",
    "samverkan.policy",
    "samverkan.cases",
    "samverkan.screening",
    "samverkan.web",
    # Referrals and the service directory.
    "samverkan.directory",
    "samverkan.referrals",
    "samverkan.network",
    # The rapporteur's statistics.
    "samverkan.statistics",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_countries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "samverkan.audit.context.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "samverkan.accounts.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "samverkan.accounts.middleware.MembershipMiddleware",
    "samverkan.accounts.middleware.MfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "samverkan.web.middleware.NoStoreMiddleware",
    "samverkan.web.middleware.SealedValueErrorMiddleware",
]

ROOT_URLCONF = "samverkan.urls"
WSGI_APPLICATION = "samverkan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "samverkan.web.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'samverkan.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and full sync survive a crash; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("SAMVERKAN_DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache shared by every worker process: TOTP replay protection and login
# rate limits must hold across processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "samverkan_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
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
PASSWORD_RESET_TIMEOUT = 3600

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# allauth: e-mail login, no open signup (people join by invitation).
ACCOUNT_ADAPTER = "samverkan.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Failed logins: 5 per (account, address) in 15 minutes, and 20 per account
# in an hour whatever the address; see AccountAdapter.pre_authenticate.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/m/ip,5/15m/key",
    "login": "30/m/ip",
}
LOGIN_FAILURES_PER_ACCOUNT = "20/h/key"
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("SAMVERKAN_TRUSTED_PROXY_COUNT", default=0)
MFA_ADAPTER = "samverkan.accounts.adapters.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Samverkan"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
USERSESSIONS_TRACK_ACTIVITY = True

# Sessions: server-side, 30 minutes idle, 12 hours at most.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SAMVERKAN_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SAMVERKAN_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is the operator's choice, only where the whole domain allows it;
        # left off deliberately, it is not a deploy-check warning (bar C1).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    CSRF_TRUSTED_ORIGINS = env.list("SAMVERKAN_CSRF_TRUSTED_ORIGINS", default=[])

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "samverkan" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

if env.str("SAMVERKAN_EMAIL_URL", default=""):
    vars().update(env.email_url("SAMVERKAN_EMAIL_URL"))
elif PRODUCTION:
    raise ImproperlyConfigured("SAMVERKAN_EMAIL_URL must be set in production.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str(
    "SAMVERKAN_FROM_EMAIL", default="Samverkan <noreply@samverkan.invalid>"
)
INVITATION_LIFETIME_DAYS = 7

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "samverkan.accounts.authentication.MembershipTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["samverkan.policy.api.DenyByDefault"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "samverkan.web.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Samverkan API",
    "DESCRIPTION": "Cooperation against trafficking in human beings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One name for each choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "CountryCodeEnum": "samverkan.cases.api.COUNTRY_CODES",
        "StepEnum": "samverkan.cases.workflow.Step",
        "MilestoneKindEnum": "samverkan.cases.workflow.MilestoneKind",
        "RecordableMilestoneEnum": "samverkan.cases.api.RECORDABLE_MILESTONES",
        "DeadlineKindEnum": "samverkan.cases.workflow.DeadlineKind",
        "ExploitationFormEnum": "samverkan.cases.models.ExploitationForm",
        # Data categories: all of them, those a consent may name, those a share may name.
        "CategoryEnum": "samverkan.cases.models.Category",
        "ConsentCategoryEnum": "samverkan.cases.access_forms.CONSENT_CATEGORIES",
        "ShareableCategoryEnum": "samverkan.cases.access_forms.SHAREABLE_CATEGORIES",
        "PurposeEnum": "samverkan.cases.models.Purpose",
        # Referrals and the service directory.
        "ServiceKindEnum": "samverkan.directory.models.ServiceKind",
        "TeamKindEnum": "samverkan.referrals.models.Team.Kind",
        # The rapporteur's statistics: a source's agency kind is an organisation kind.
        "OrganisationKindEnum": "samverkan.accounts.models.Organisation.Kind",
    },
}

# JSON logs to stderr; no mail handler (error mails would carry request data).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "samverkan.web.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": env.str("SAMVERKAN_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default console and admin-mail handlers: every
        # record is one JSON line, and no error mail carries request data.
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}

# The public address, for links in e-mails.
SITE_URL = (
    _required("SAMVERKAN_SITE_URL")
    if PRODUCTION
    else env.str("SAMVERKAN_SITE_URL", default="http://127.0.0.1:8000")
)

# Referrals: the receiver is reminded of an unanswered referral after this many hours.
REFERRAL_REMINDER_HOURS = env.int("SAMVERKAN_REFERRAL_REMINDER_HOURS", default=48)
if REFERRAL_REMINDER_HOURS < 1:
    raise ImproperlyConfigured("SAMVERKAN_REFERRAL_REMINDER_HOURS must be at least 1")

# Where the public help pages' quick-exit button leaves for: a neutral site.
QUICK_EXIT_URL = env.str("SAMVERKAN_QUICK_EXIT_URL", default="https://www.wikipedia.org/")
# The cooperation network: uploaded answers and documents, and the personal links.
MEDIA_ROOT = Path(env.str("SAMVERKAN_MEDIA_DIR", default=str(VAR_DIR / "media")))
NETWORK_UPLOAD_MAX_BYTES = env.int("SAMVERKAN_NETWORK_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
NETWORK_UPLOAD_EXTENSIONS = env.list(
    "SAMVERKAN_NETWORK_UPLOAD_EXTENSIONS", default=[".pdf", ".docx", ".odt", ".xlsx", ".txt"]
)
# A personal link may be forwarded this many times per place and survey in all, and
# never from an address at a webmail service (its domain says nothing of the organisation).
NETWORK_MAX_FORWARDS_PER_RESPONSE = env.int("SAMVERKAN_NETWORK_MAX_FORWARDS", default=5)
NETWORK_WEBMAIL_DOMAINS = frozenset(
    env.list(
        "SAMVERKAN_NETWORK_WEBMAIL_DOMAINS",
        default=[
            "gmail.com",
            "googlemail.com",
            "outlook.com",
            "hotmail.com",
            "live.com",
            "msn.com",
            "yahoo.com",
            "icloud.com",
            "me.com",
            "aol.com",
            "proton.me",
            "protonmail.com",
            "gmx.com",
            "gmx.de",
            "gmx.net",
            "web.de",
            "mail.ru",
            "yandex.ru",
            "wp.pl",
            "o2.pl",
            "onet.pl",
            "interia.pl",
            "hotmail.se",
            "live.se",
            "telia.com",
            "inbox.lv",
            "mail.ee",
        ],
    )
)
# Uploads stop being read once a file passes the limit (the proxy's body limit
# should be a little above it, see docs/operations.md).
FILE_UPLOAD_HANDLERS = [
    "samverkan.network.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Failed openings of personal links per client address (allauth's rate-limit syntax).
NETWORK_LINK_RATE_LIMIT = env.str("SAMVERKAN_NETWORK_LINK_RATE_LIMIT", default="20/10m/ip")
# The rapporteur's statistics: the differential-privacy budget (epsilon) of
# each calendar year of the country, spent by builds that ask for noise.
STATISTICS_PRIVACY_BUDGET = env.float("SAMVERKAN_STATISTICS_PRIVACY_BUDGET", default=1.0)
if STATISTICS_PRIVACY_BUDGET <= 0:
    raise ImproperlyConfigured("SAMVERKAN_STATISTICS_PRIVACY_BUDGET must be above 0.")
