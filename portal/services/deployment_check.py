"""`flask check-deployment`: the settings the portal's protections depend on, checked before going live.

docs/security.md and docs/deploying.md list what an operator must set (one Redis for several workers, the proxy
count, TLS to the mail relay, a virus scanner, no demo accounts...). Each check says what it found and what to do,
as FAIL (do not go live like this), WARN (fine for some set-ups: decide) or OK.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import User
from portal.services.demo import DEMO_PASSWORD, DEMO_STAFF
from portal.services.migrations import current_revision, newest_revision
from portal.services.users import password_matches

FAIL, WARN, OK = "FAIL", "WARN", "OK"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", None, ""}
MIN_SECRET_KEY_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    level: str
    what: str
    detail: str


def _secrets(config) -> list[Finding]:
    key = config.get("SECRET_KEY") or ""
    findings = [
        Finding(OK, "SECRET_KEY", "long enough")
        if len(key) >= MIN_SECRET_KEY_LENGTH
        else Finding(FAIL, "SECRET_KEY", f"shorter than {MIN_SECRET_KEY_LENGTH} characters: use 64 random hex digits")
    ]
    if config.get("MFA_ENCRYPTION_KEYS"):
        findings.append(Finding(OK, "MFA_ENCRYPTION_KEYS", "set"))
    else:
        findings.append(
            Finding(WARN, "MFA_ENCRYPTION_KEYS", "not set: derived from SECRET_KEY, so changing that locks staff out")
        )
    return findings


def _transport(config) -> list[Finding]:
    findings = []
    for name in ("FORCE_HTTPS", "SESSION_COOKIE_SECURE"):
        if config.get(name):
            findings.append(Finding(OK, name, "on"))
        else:
            findings.append(Finding(FAIL, name, "off: cookies and answers could cross the network in clear"))
    hops = config.get("PROXY_HOPS", 0)
    findings.append(
        Finding(OK, "PROXY_HOPS", f"{hops} proxies believed")
        if hops
        else Finding(WARN, "PROXY_HOPS", "0: behind a proxy, every resident shares one address and one rate limit")
    )
    return findings


def _services(config) -> list[Finding]:
    findings = [
        Finding(OK, "REDIS_URL", "set: limits and the page cache are shared")
        if config.get("REDIS_URL")
        else Finding(WARN, "REDIS_URL", "not set: right for one worker only; limits are per process")
    ]
    if config.get("CLAMD_SOCKET") or config.get("CLAMD_HOST"):
        findings.append(Finding(OK, "ClamAV", "configured: evidence files are scanned"))
    else:
        findings.append(Finding(WARN, "ClamAV", "CLAMD_SOCKET or CLAMD_HOST not set: evidence files are not scanned"))
    backend = config.get("NOTIFY_BACKEND")
    if backend == "file":
        findings.append(Finding(FAIL, "NOTIFY_BACKEND", "file: emails are written to disk and no resident gets one"))
    elif backend == "smtp" and config.get("SMTP_SECURITY") == "none" and config.get("SMTP_HOST") not in LOCAL_HOSTS:
        findings.append(Finding(FAIL, "SMTP_SECURITY", "none for a relay on another machine: mail crosses in clear"))
    else:
        findings.append(Finding(OK, "NOTIFY_BACKEND", backend))
    findings.append(
        Finding(WARN, "OUTBOX_SEND_AT_ONCE", "on: requests wait on the mail relay; 0 where send-outbox runs")
        if config.get("OUTBOX_SEND_AT_ONCE")
        else Finding(OK, "OUTBOX_SEND_AT_ONCE", "off: the send-outbox worker must be running")
    )
    return findings


def _database(config) -> tuple[list[Finding], bool]:
    """The database's settings and migrations; and whether its tables are the models' (at the newest migration)."""
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    findings = []
    if url.get_backend_name() == "sqlite":
        findings.append(Finding(WARN, "DATABASE_URL", "SQLite: one machine only; PostgreSQL for several instances"))
    elif url.host not in LOCAL_HOSTS and url.query.get("sslmode") != "verify-full":
        findings.append(Finding(WARN, "DATABASE_URL", "PostgreSQL on another host without sslmode=verify-full"))
    else:
        findings.append(Finding(OK, "DATABASE_URL", url.get_backend_name()))
    try:
        current = current_revision()
    except SQLAlchemyError as error:
        findings.append(Finding(FAIL, "database", f"unreachable ({type(error).__name__})"))
        return findings, False
    head = newest_revision()
    if current == head:
        findings.append(Finding(OK, "migrations", f"at {head}"))
    else:
        findings.append(
            Finding(FAIL, "migrations", f"at {current or 'none'}, not {head}: run `flask --app portal db upgrade`")
        )
    return findings, current == head


def _erasure_ledger(config) -> list[Finding]:
    """The ledger must be writable, or no erasure can be done (portal/services/erasure_ledger.py)."""
    path = Path(config["ERASURE_LEDGER"])
    folder = next((p for p in (path, *path.parents) if p.exists()), None)
    writable = folder is not None and os.access(folder, os.W_OK) and (folder == path or folder.is_dir())
    if not writable:
        return [Finding(FAIL, "ERASURE_LEDGER", f"{path} cannot be written: erasure requests would be refused")]
    return [Finding(OK, "ERASURE_LEDGER", f"{path}: keep it on storage that outlives this machine")]


def _demo(config, tables_ready: bool) -> list[Finding]:
    findings = [
        Finding(FAIL, "DEMO_DATA_ALLOWED", "on: demo data and codes could be loaded")
        if config.get("DEMO_DATA_ALLOWED")
        else Finding(OK, "DEMO_DATA_ALLOWED", "off")
    ]
    if not tables_ready:
        findings.append(Finding(WARN, "demo accounts", "not checked until the database is migrated"))
        return findings
    emails = [email for email, _role, _name in DEMO_STAFF]
    demo = [u for u in db.session.scalars(select(User).where(User.email.in_(emails))) if u.active]
    published = sorted(u.email for u in demo if password_matches(u, DEMO_PASSWORD))
    if published:
        listed = ", ".join(published)
        findings.append(Finding(FAIL, "demo accounts", f"active with the published password: disable {listed}"))
    else:
        findings.append(Finding(OK, "demo accounts", "none active with the published password"))
    return findings


def check_deployment() -> list[Finding]:
    """Every check, in the order an operator would fix them."""
    config = current_app.config
    database, tables_ready = _database(config)
    return [
        *_secrets(config),
        *_transport(config),
        *_services(config),
        *database,
        *_erasure_ledger(config),
        *_demo(config, tables_ready),
    ]
