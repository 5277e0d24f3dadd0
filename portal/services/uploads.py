"""Evidence files: checked by their content, not their name, and stored outside static/ under random names."""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app

# What each accepted kind of file is, as its content shows it, and the MIME type we store.
ACCEPTED_KINDS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class UploadRejected(ValueError):
    """Raised with a code naming why a file was refused: empty, too_large or wrong_type."""

    def __init__(self, code: str, filename: str):
        super().__init__(code)
        self.code = code
        self.filename = filename


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str | None) -> str:
    """Keep the last path part of a resident's file name, without control characters, at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:255] or "file"


def _upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIRECTORY"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(stream: BinaryIO, filename: str | None) -> StoredFile:
    """Check a file's size and content and keep it; raise UploadRejected when it is not acceptable."""
    original = clean_filename(filename)
    limit = current_app.config["MAX_FILE_BYTES"]
    data = stream.read(limit + 1)
    if not data:
        raise UploadRejected("empty", original)
    if len(data) > limit:
        raise UploadRejected("too_large", original)
    kind = filetype.guess(data[:8192] if not data.startswith(b"PK") else data)
    if kind is None or kind.extension not in ACCEPTED_KINDS:
        raise UploadRejected("wrong_type", original)
    stored_name = secrets.token_hex(16)
    (_upload_dir() / stored_name).write_bytes(data)
    return StoredFile(
        stored_name=stored_name,
        original_name=original,
        content_type=ACCEPTED_KINDS[kind.extension],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def discard_upload(stored_name: str) -> None:
    """Remove a stored file, if it is still there."""
    (_upload_dir() / stored_name).unlink(missing_ok=True)


def upload_path(stored_name: str) -> Path:
    """Return where a stored file lives on disk."""
    return _upload_dir() / stored_name
