"""Evidence files: checked by their content, not their name, and stored outside static/ under random names.

Images are decoded and written afresh, so only their pixels are kept: never a phone photo's location (EXIF GPS),
XMP, comments or text chunks. Every file is shown to the virus scanner first, when one is configured.
"""

import hashlib
import io
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

from portal.services.virus_scan import ScannerUnavailable, VirusFound, scan_file

log = logging.getLogger(__name__)

# HEIC (iPhone photos) is decoded and written afresh like any other image, through the pillow-heif plugin.
register_heif_opener()

# What each accepted kind of file is, as its content shows it, and the MIME type we store.
ACCEPTED_KINDS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# The endings a file's name may have for each kind; a name whose ending says otherwise is given the kind's own.
NAME_ENDINGS = {
    "pdf": ("pdf",),
    "jpg": ("jpg", "jpeg", "jpe", "jfif"),
    "png": ("png",),
    "heic": ("heic", "heif"),
    "docx": ("docx",),
}

# The only Pillow format that may decode, and then re-encode, each kind of image.
IMAGE_FORMATS = {"jpg": "JPEG", "png": "PNG", "heic": "HEIF"}
# Kept from an image's info when it is written afresh: what its pixels need to look right, nothing about anyone.
KEPT_IMAGE_INFO = ("transparency",)
# Lossy formats are written at a quality that keeps a photo's detail (Pillow's and libheif's defaults are lower).
SAVE_OPTIONS = {"JPEG": {"quality": 90, "optimize": True}, "HEIF": {"quality": 90}}


class UploadRejected(ValueError):
    """Raised with a code naming why a file was refused: empty, too_large, wrong_type, virus, scan_failed or busy
    (the room for unsubmitted drafts' files is full)."""

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


def name_for_kind(name: str, kind: str) -> str:
    """The file's name, ending as what its content is: "letter.pdf" holding a PNG is kept as "letter.png", and
    "scan" holding a PDF as "scan.pdf", so nobody opens it as something it is not."""
    stem, dot, ending = name.rpartition(".")
    if dot and ending.lower() in NAME_ENDINGS[kind]:
        return name
    if dot and stem and ending.lower() in {e for endings in NAME_ENDINGS.values() for e in endings}:
        name = stem  # an ending that names another kind goes; any other (".final", ".v2") is part of the name
    return f"{name[: 255 - len(kind) - 1]}.{kind}"


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
    try:
        scan_file(data)
    except VirusFound:
        raise UploadRejected("virus", original) from None
    except ScannerUnavailable:
        raise UploadRejected("scan_failed", original) from None
    image_format = IMAGE_FORMATS.get(kind.extension)
    if image_format:
        data = _without_metadata(data, image_format, original)
    stored_name = secrets.token_hex(16)
    (_upload_dir() / stored_name).write_bytes(data)
    return StoredFile(
        stored_name=stored_name,
        original_name=name_for_kind(original, kind.extension),
        content_type=ACCEPTED_KINDS[kind.extension],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _without_metadata(data: bytes, image_format: str, original: str) -> bytes:
    """Return an image written afresh, upright and with nothing but its pixels; refuse one that cannot be decoded."""
    try:
        return _rewrite_image(data, image_format)
    # Any failure to decode hostile content is a refusal, never a server error, whatever Pillow raises for it.
    except Exception as error:
        log.info("Image upload refused as undecodable: %s", type(error).__name__)
        raise UploadRejected("wrong_type", original) from None


def _rewrite_image(data: bytes, image_format: str) -> bytes:
    with Image.open(io.BytesIO(data), formats=[image_format]) as image:
        # Pillow only warns between its limit and twice it; a picture that large is refused all the same.
        if image.width * image.height > Image.MAX_IMAGE_PIXELS:
            raise Image.DecompressionBombError(f"{image.width}x{image.height} pixels")
        image.load()
        upright = ImageOps.exif_transpose(image)
    icc_profile = upright.info.get("icc_profile")
    upright.info = {key: upright.info[key] for key in KEPT_IMAGE_INFO if key in upright.info}
    out = io.BytesIO()
    upright.save(out, image_format, icc_profile=icc_profile, **SAVE_OPTIONS.get(image_format, {}))
    return out.getvalue()


def discard_upload(stored_name: str) -> None:
    """Remove a stored file, if it is still there."""
    (_upload_dir() / stored_name).unlink(missing_ok=True)


def upload_path(stored_name: str) -> Path:
    """Return where a stored file lives on disk."""
    return _upload_dir() / stored_name
