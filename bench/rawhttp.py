"""A tiny HTTP/1.1 client over a plain socket that counts the bytes on the wire (loopback only)."""

import gzip
import socket
import zlib
from dataclasses import dataclass, field

import brotli

LOOPBACK = "127.0.0.1"


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    header_bytes: int  # status line and headers, with the blank line after them
    body_wire_bytes: int  # the body as transferred: compressed, with any chunked framing
    body: bytes = field(repr=False)  # decoded: de-chunked and decompressed

    @property
    def wire_bytes(self) -> int:
        return self.header_bytes + self.body_wire_bytes

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    def all_headers(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def session_cookie(self, name: str = "session") -> str | None:
        """The `name=value` pair of a Set-Cookie for this cookie, if the response sets one."""
        for value in self.all_headers("Set-Cookie"):
            pair = value.split(";", 1)[0].strip()
            if pair.startswith(name + "=") and pair != name + "=":
                return pair
        return None


def fetch(port: int, path: str, headers: dict[str, str], timeout: float = 15.0) -> Response:
    """GET path from 127.0.0.1:port with Connection: close, and read the whole answer off the socket."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {LOOPBACK}:{port}", "Connection: close"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    chunks = []
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
        sock.sendall(request)
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return parse(b"".join(chunks))


def parse(raw: bytes) -> Response:
    head, sep, wire_body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("the server closed the connection before the end of the headers")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1])
    headers = []
    for line in head_lines[1:]:
        key, _, value = line.partition(":")
        headers.append((key.strip(), value.strip()))
    response = Response(status, headers, len(head) + len(sep), len(wire_body), b"")
    body = wire_body
    if "chunked" in response.header("Transfer-Encoding").lower():
        body = _dechunk(wire_body)
    elif response.header("Content-Length"):
        length = int(response.header("Content-Length"))
        response.body_wire_bytes = min(length, len(wire_body))
        body = wire_body[:length]
    response.body = decode(body, response.header("Content-Encoding"))
    return response


def decode(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    raise ValueError(f"unexpected Content-Encoding {encoding!r}")


def _dechunk(data: bytes) -> bytes:
    out = []
    pos = 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";", 1)[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2
