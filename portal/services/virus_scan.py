"""Asking a clamd virus scanner about an uploaded file, when CLAMD_SOCKET or CLAMD_HOST is configured."""

import logging
import socket
import struct

from flask import current_app

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
TIMEOUT_SECONDS = 30
# A verdict is one short line; a longer reply is not clamd's.
LONGEST_REPLY = 4096


class VirusFound(Exception):
    """Raised when the scanner names a virus in the file."""


class ScannerUnavailable(Exception):
    """Raised when a scanner is configured but gave no verdict, so the file cannot be accepted."""


def scanning_enabled() -> bool:
    """Say whether a scanner is configured."""
    return bool(current_app.config.get("CLAMD_SOCKET") or current_app.config.get("CLAMD_HOST"))


def scan_file(data: bytes) -> None:
    """Raise VirusFound or ScannerUnavailable unless the configured scanner calls the file clean; without one, pass."""
    if not scanning_enabled():
        return
    try:
        reply = _instream(data)
    except OSError as error:
        # No file name or content here: only why the scanner could not be reached.
        log.error("Virus scanner unreachable, upload refused: %s: %s", type(error).__name__, error)
        raise ScannerUnavailable from error
    verdict = reply.removeprefix("stream:").strip()
    if verdict == "OK":
        return
    if verdict.endswith(" FOUND"):
        signature = verdict.removesuffix(" FOUND")
        log.warning("Virus scanner found %s in an upload, refused", signature)
        raise VirusFound(signature)
    log.error("Virus scanner gave no verdict, upload refused: %r", reply[:200])
    raise ScannerUnavailable(reply[:200])


def _connect() -> socket.socket:
    config = current_app.config
    if config.get("CLAMD_SOCKET"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(TIMEOUT_SECONDS)
        try:
            conn.connect(config["CLAMD_SOCKET"])
        except OSError:
            conn.close()
            raise
        return conn
    return socket.create_connection((config["CLAMD_HOST"], int(config["CLAMD_PORT"])), timeout=TIMEOUT_SECONDS)


def _instream(data: bytes) -> str:
    """Send the file with clamd's INSTREAM command (length-prefixed chunks, then a zero length); return its reply."""
    view = memoryview(data)
    with _connect() as conn:
        conn.sendall(b"zINSTREAM\0")
        for start in range(0, len(view), CHUNK_BYTES):
            chunk = view[start : start + CHUNK_BYTES]
            conn.sendall(struct.pack(">I", len(chunk)))
            conn.sendall(chunk)
        conn.sendall(struct.pack(">I", 0))
        reply = b""
        # The z prefix asked for a NUL-terminated reply; clamd may also just close the connection.
        while not reply.endswith(b"\0") and len(reply) < LONGEST_REPLY:
            part = conn.recv(LONGEST_REPLY)
            if not part:
                break
            reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
