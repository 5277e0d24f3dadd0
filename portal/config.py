"""Configuration classes, chosen by the PORTAL_ENV environment variable."""

import os
from datetime import timedelta

from portal import PROJECT_ROOT

DEFAULT_TIMESCALES = (
    # process, stage, working days, longest allowed extension (total working days)
    ("corporate", 1, 20, 40),
    ("corporate", 2, 20, 40),
    ("childrens", 1, 10, 20),
    ("childrens", 2, 25, 65),
    ("childrens", 3, 15, 15),
    ("adults", 1, 20, 130),
    ("adults", 2, 20, 40),
)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'instance' / 'portal.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Example Borough Council")
    COUNCIL_PHONE = os.environ.get("COUNCIL_PHONE", "0300 123 4567")
    COUNCIL_ADDRESS = os.environ.get("COUNCIL_ADDRESS", "Complaints Team, Town Hall, High Street, Exampleton, EX1 1AA")
    COUNCIL_EMAIL = os.environ.get("COUNCIL_EMAIL", "complaints@example.gov.uk")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    # The acknowledgement and first-response targets shown to residents, in working days.
    ACKNOWLEDGE_WITHIN_DAYS = int(os.environ.get("ACKNOWLEDGE_WITHIN_DAYS", "5"))
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "30"))
    # However busy, a member of staff signs in again this long after signing in (a working day and some).
    STAFF_SESSION_HOURS = int(os.environ.get("STAFF_SESSION_HOURS", "10"))
    # A session's record (its browser and times, shown on "Your account") is deleted this long after its last use,
    # by `flask apply-retention`. Sign-ins stay in the security log, which the council's log retention covers.
    STAFF_SESSION_RETENTION_DAYS = int(os.environ.get("STAFF_SESSION_RETENTION_DAYS", "90"))
    # A record of a staff search of the cases (its words may name a resident) is deleted this long after the search,
    # by `flask apply-retention`; never sooner than a year, which the database enforces (SEARCH_RECORD_MIN_DAYS).
    SEARCH_RETENTION_DAYS = int(os.environ.get("SEARCH_RETENTION_DAYS", "365"))
    # Days a record of staff opening a case's page or file is kept, then deleted by `flask apply-retention`: six years,
    # as long as a closed case is; never under a year, which the database enforces (CASE_VIEW_RECORD_MIN_DAYS).
    CASE_VIEW_RETENTION_DAYS = int(os.environ.get("CASE_VIEW_RETENTION_DAYS", str(6 * 365)))
    # Staff sign in with a password and a code from an authenticator app. Turn off only where the council's own
    # single sign-on already asks for a second factor in front of the portal.
    MFA_REQUIRED = _env_bool("MFA_REQUIRED", True)
    # The demo accounts' password and authenticator key are published: refused in production unless asked for.
    DEMO_DATA_ALLOWED = _env_bool("DEMO_DATA_ALLOWED", False)
    TRIAGE_TARGET_HOURS = int(os.environ.get("TRIAGE_TARGET_HOURS", "48"))
    TIMESCALES = DEFAULT_TIMESCALES
    # Children's Stage 3 is a chain (Children Act 1989 Representations Procedure (England) Regulations 2006): the
    # review panel meets within 30 working days of the request and reports within 5 working days of meeting; the
    # council's response is due within the ("childrens", 3) timescale (15) of receiving the panel's report.
    STAGE3_PANEL_WORKING_DAYS = int(os.environ.get("STAGE3_PANEL_WORKING_DAYS", "30"))
    STAGE3_REPORT_WORKING_DAYS = int(os.environ.get("STAGE3_REPORT_WORKING_DAYS", "5"))
    WORKING_DAY_REGION = os.environ.get("WORKING_DAY_REGION", "GB-ENG")
    # Public figures name no top themes for a service area with fewer complaints than this (Tameside: about 20).
    SMALL_NUMBERS_THRESHOLD = int(os.environ.get("SMALL_NUMBERS_THRESHOLD", "20"))

    # English, Welsh, then the most spoken main languages in England after English, and Ukrainian.
    LANGUAGES = ("en", "cy", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn", "gu", "uk")
    BABEL_DEFAULT_LOCALE = "en"
    # Tests only: a locale whose catalogue wraps every message in markers, accepted by ?lang= but never offered,
    # so a browser test can find text that was never translated. None in every real deployment.
    PSEUDO_LOCALE = None
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "portal" / "translations")

    NOTIFY_BACKEND = os.environ.get("NOTIFY_BACKEND", "file")
    # The relay the "smtp" backend hands messages to (it was read from config but never set from the environment).
    # Fernet keys (comma-separated, the first encrypts) for the authenticator secrets kept in the database; unset,
    # one is derived from SECRET_KEY (portal/models/encrypted.py). Make one with `python -c "from
    # cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
    MFA_ENCRYPTION_KEYS = os.environ.get("MFA_ENCRYPTION_KEYS") or None
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    # "starttls" (port 587), "tls" (port 465, TLS from the start) or "none" (a relay on this host only). TLS checks
    # the relay's certificate and name. A user name and password are sent only over TLS.
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "none")
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    MAIL_DIRECTORY = os.environ.get("MAIL_DIRECTORY") or str(PROJECT_ROOT / "instance" / "mail")
    # The email outbox (portal/services/outbox.py): a failed send is retried after 1, 2, 4 ... minutes, capped at the
    # longest delay, until the last attempt (10 attempts with these defaults: about four hours of trying).
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
    OUTBOX_FIRST_RETRY_SECONDS = int(os.environ.get("OUTBOX_FIRST_RETRY_SECONDS", "60"))
    OUTBOX_LONGEST_RETRY_SECONDS = int(os.environ.get("OUTBOX_LONGEST_RETRY_SECONDS", "3600"))
    OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "50"))
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "5"))
    # On (the default, for `make run` and any set-up without the worker): the request that queued an email tries to
    # send it at once. Off where `send-outbox` runs: no page waits on the mail relay, every email is due for the
    # worker the moment it is committed, and a tracking request takes as long whether an email was queued or not.
    OUTBOX_SEND_AT_ONCE = _env_bool("OUTBOX_SEND_AT_ONCE", True)
    # Freeze what start-up made out of the garbage collector's sight (portal/__init__.py); on in production.
    GC_FREEZE_AT_STARTUP = False
    UPLOAD_DIRECTORY = os.environ.get("UPLOAD_DIRECTORY") or str(PROJECT_ROOT / "instance" / "uploads")
    MAX_FILES = 5
    MAX_FILE_BYTES = 10 * 1024 * 1024
    # All unsubmitted drafts' evidence files together, before new ones are refused (submitted cases' are not counted).
    DRAFT_FILES_MAX_BYTES = int(os.environ.get("DRAFT_FILES_MAX_BYTES", str(5 * 1024**3)))
    # Room for five files plus the form fields around them.
    MAX_CONTENT_LENGTH = 5 * 10 * 1024 * 1024 + 1024 * 1024
    # A clamd virus scanner, by Unix socket or host and port; unset, nothing is scanned. Set but unreachable, uploads
    # are refused.
    CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET") or None
    CLAMD_HOST = os.environ.get("CLAMD_HOST") or None
    CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))

    TRACKING_LINK_LIFETIME = timedelta(hours=1)
    TRACKING_SESSION_LIFETIME = timedelta(hours=1)
    DRAFT_LIFETIME = timedelta(days=2)
    # Years a case is kept after it is closed, then anonymised (counts stay for the published figures). The privacy
    # notice tells residents this figure.
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "6"))
    # Every case erased on request, outside the database, so restoring an older backup cannot bring the person's data
    # back (portal/services/erasure_ledger.py). Keep it where the evidence files are: storage every instance shares
    # and that outlives the machine.
    ERASURE_LEDGER = os.environ.get("ERASURE_LEDGER") or str(PROJECT_ROOT / "instance" / "erasure-ledger.jsonl")

    # Pages are compressed as they go out (Brotli's fastest level still beats gzip on HTML); static files are
    # served by WhiteNoise from the .br and .gz files `make` builds once.
    COMPRESS_MIMETYPES = ["text/html", "application/json", "text/csv"]
    COMPRESS_STREAMS = False
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 1
    COMPRESS_LEVEL = 6
    COMPRESS_EVALUATE_CONDITIONAL_REQUEST = False
    SEND_FILE_MAX_AGE_DEFAULT = 3600

    # Several instances share rate limits and the page cache through one Redis (docs/deploying.md); without it,
    # each process keeps its own.
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Whole GET pages, per visitor (see portal/page_cache.py). In-process by default; Redis when REDIS_URL is set.
    CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if REDIS_URL else "SimpleCache")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or REDIS_URL
    CACHE_DEFAULT_TIMEOUT = 600
    CACHE_THRESHOLD = 5000
    PAGE_CACHE_ENABLED = _env_bool("PAGE_CACHE_ENABLED", True)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    # Redis down: each process counts in its own memory until Redis answers again, rather than every POST failing.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    SUBMIT_RATE_LIMIT = os.environ.get("SUBMIT_RATE_LIMIT", "10 per hour")
    TRACK_RATE_LIMIT = os.environ.get("TRACK_RATE_LIMIT", "10 per hour")
    # Opening emailed links: a resident opens one or two; a guesser needs billions (tokens are 128-bit).
    TRACK_LINK_RATE_LIMIT = os.environ.get("TRACK_LINK_RATE_LIMIT", "30 per hour")
    # Starting forms and saving answers (evidence files too): a resident needs a few dozen an hour, a flood far more.
    ANSWER_RATE_LIMIT = os.environ.get("ANSWER_RATE_LIMIT", "200 per hour")
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per 15 minutes")

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    # How long the cookie's signature holds after it last changed: as long as a draft lasts, so that a resident who
    # leaves the form open for an afternoon carries on. Staff sessions end sooner, on the server (STAFF_IDLE_MINUTES,
    # STAFF_SESSION_HOURS), and a tracking link lets a browser in for TRACKING_SESSION_LIFETIME only.
    PERMANENT_SESSION_LIFETIME = DRAFT_LIFETIME
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", True)
    # Reverse proxies in front of the portal whose X-Forwarded-For and X-Forwarded-Proto are believed (the rate
    # limits key on the client address). 0 believes none: a client could otherwise forge its address.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True

    # One JSON object a line on stderr (portal/logging_setup.py); "text" for people reading a terminal.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    DEMO_DATA_ALLOWED = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = False
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", False)


class TestConfig(Config):
    TESTING = True
    DEMO_DATA_ALLOWED = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - test only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    FORCE_HTTPS = False
    RATELIMIT_ENABLED = False
    # Each test app counts and caches on its own, whatever REDIS_URL the shell running the tests has.
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "SimpleCache"
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    # Production serves one app per process for its whole life (tests build hundreds, which must stay collectable).
    GC_FREEZE_AT_STARTUP = _env_bool("GC_FREEZE_AT_STARTUP", True)


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
