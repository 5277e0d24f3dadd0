"""Secrets the portal has to read back (the authenticator apps' keys), kept encrypted in the database.

A copy of the database (a stolen backup, a read-only SQL injection) then gives no one the second factor of a
staff sign-in. Values are Fernet tokens (AES-128-CBC with HMAC-SHA256) under the keys in MFA_ENCRYPTION_KEYS, or,
when that is not set, keys derived with HKDF from SECRET_KEY (which encrypts) and SECRET_KEY_FALLBACKS (which still
decrypt). The first key encrypts; every key decrypts, so a new key can be put first and the old one kept until
`flask rotate-mfa-key` has re-encrypted every secret.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy.types import String, TypeDecorator

PREFIX = "fernet:"  # what tells an encrypted value from one stored before encryption (migration 0015 converts those)


class SecretUnreadable(RuntimeError):
    """A stored secret does not decrypt with any configured key (MFA_ENCRYPTION_KEYS or SECRET_KEY changed)."""


def _derived(secret_key: str) -> str:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal authenticator secrets").derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(key).decode()


@lru_cache(maxsize=8)
def _box(keys: str, secret_keys: tuple[str, ...]) -> MultiFernet:
    chosen = [key.strip() for key in keys.split(",") if key.strip()]
    if not chosen:  # SECRET_KEY's key encrypts; those of SECRET_KEY_FALLBACKS still decrypt during a rotation
        chosen = [_derived(secret_key) for secret_key in secret_keys]
    return MultiFernet([Fernet(key) for key in chosen])


def secret_box(config=None) -> MultiFernet:
    config = config if config is not None else current_app.config
    secret_keys = (config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ()))
    return _box(config.get("MFA_ENCRYPTION_KEYS") or "", secret_keys)


def encrypt(value: str, config=None) -> str:
    return PREFIX + secret_box(config).encrypt(value.encode()).decode()


def decrypt(stored: str, config=None) -> str:
    if not stored.startswith(PREFIX):
        return stored  # stored before encryption
    try:
        return secret_box(config).decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        # Never treated as "no secret": that would offer a new authenticator to anyone who knows the password.
        raise SecretUnreadable(
            "an authenticator secret does not decrypt: MFA_ENCRYPTION_KEYS or SECRET_KEY changed"
        ) from None


class EncryptedString(TypeDecorator):
    """Text encrypted on its way into the database and decrypted on its way out; Python sees the plain value."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
