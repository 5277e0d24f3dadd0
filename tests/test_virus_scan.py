"""Evidence files go past a clamd virus scanner when one is configured; one that cannot answer refuses them all."""

import logging
import socketserver
import struct
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment
from tests import files
from tests.uploads_helpers import to_evidence, upload_files

# Not the real EICAR test string, so no scanner on a developer's machine quarantines this file.
SIGNATURE = b"FAKE-VIRUS-FOR-TESTS"
VIRUS_MESSAGE = "The selected file {name} contains a virus"
TRY_LATER = "The selected file {name} could not be uploaded – try again later"


class FakeClamd(socketserver.StreamRequestHandler):
    """Answer clamd's INSTREAM command as clamd does, finding a 'virus' in any file containing SIGNATURE."""

    def handle(self):
        command = self.rfile.read(len(b"zINSTREAM\0"))
        if command != b"zINSTREAM\0":
            self.wfile.write(b"UNKNOWN COMMAND\0")
            return
        received = bytearray()
        while size := struct.unpack(">I", self.rfile.read(4))[0]:
            self.server.chunks.append(size)
            received += self.rfile.read(size)
        self.server.scanned.append(bytes(received))
        self.wfile.write(
            self.server.reply or (b"stream: Fake.Virus FOUND\0" if SIGNATURE in received else b"stream: OK\0")
        )


def _serve(server):
    server.scanned, server.chunks, server.reply = [], [], None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def clamd_socket():
    """A fake clamd on a temporary Unix socket (kept short: such paths are limited to about 100 characters)."""
    with tempfile.TemporaryDirectory(prefix="clamd-") as folder:
        path = str(Path(folder) / "clamd.sock")
        server = socketserver.ThreadingUnixStreamServer(path, FakeClamd)
        thread = _serve(server)
        yield path, server
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def clamd_tcp():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    thread = _serve(server)
    yield server.server_address[1], server
    server.shutdown()
    server.server_close()
    thread.join()


def _attachments(app) -> list[Attachment]:
    with app.app_context():
        return db.session.scalars(select(Attachment)).all()


def _nothing_stored(app) -> bool:
    folder = Path(app.config["UPLOAD_DIRECTORY"])
    return not _attachments(app) and not (folder.exists() and any(folder.iterdir()))


def test_a_clean_file_is_scanned_whole_and_kept(make_app, clamd_socket):
    path, server = clamd_socket
    app = make_app(CLAMD_SOCKET=path)
    client = app.test_client()
    letter = files.pdf() + b"%" * 200_000  # several of the scanner's chunks
    html = upload_files(client, to_evidence(client), ("letter.pdf", letter)).get_data(as_text=True)
    assert "govuk-error-summary" not in html
    assert server.scanned == [letter]
    assert len(server.chunks) > 1 and max(server.chunks) <= 64 * 1024
    assert [a.original_name for a in _attachments(app)] == ["letter.pdf"]


def test_an_infected_file_is_refused(make_app, clamd_socket, caplog):
    path, server = clamd_socket
    app = make_app(CLAMD_SOCKET=path)
    client = app.test_client()
    caplog.set_level(logging.WARNING, logger="portal.services.virus_scan")
    infected = files.pdf() + SIGNATURE
    token = to_evidence(client)
    html = upload_files(client, token, ("jo-bloggs-letter.pdf", infected), ("clean.pdf", files.pdf())).get_data(
        as_text=True
    )
    assert VIRUS_MESSAGE.format(name="jo-bloggs-letter.pdf") in html
    assert "govuk-error-summary" in html
    assert [a.original_name for a in _attachments(app)] == ["clean.pdf"]
    assert "Fake.Virus" in caplog.text
    assert "jo-bloggs" not in caplog.text


def test_an_unreachable_scanner_refuses_the_upload_and_logs_no_personal_data(make_app, caplog):
    with tempfile.TemporaryDirectory(prefix="clamd-") as folder:
        app = make_app(CLAMD_SOCKET=str(Path(folder) / "nobody-listening.sock"))
        client = app.test_client()
        caplog.set_level(logging.ERROR, logger="portal.services.virus_scan")
        html = upload_files(client, to_evidence(client), ("jo-bloggs-letter.pdf", files.pdf())).get_data(as_text=True)
    assert TRY_LATER.format(name="jo-bloggs-letter.pdf") in html
    assert _nothing_stored(app)
    assert "Virus scanner unreachable" in caplog.text
    assert "jo-bloggs" not in caplog.text and "%PDF" not in caplog.text


def test_a_scanner_that_gives_no_verdict_refuses_the_upload(make_app, clamd_socket):
    path, server = clamd_socket
    server.reply = b"INSTREAM size limit exceeded. ERROR\0"
    app = make_app(CLAMD_SOCKET=path)
    client = app.test_client()
    html = upload_files(client, to_evidence(client), ("letter.pdf", files.pdf())).get_data(as_text=True)
    assert TRY_LATER.format(name="letter.pdf") in html
    assert _nothing_stored(app)


def test_the_scanner_can_be_reached_by_host_and_port(make_app, clamd_tcp):
    port, server = clamd_tcp
    app = make_app(CLAMD_HOST="127.0.0.1", CLAMD_PORT=port)
    client = app.test_client()
    html = upload_files(client, to_evidence(client), ("letter.pdf", files.pdf() + SIGNATURE)).get_data(as_text=True)
    assert VIRUS_MESSAGE.format(name="letter.pdf") in html
    assert server.scanned == [files.pdf() + SIGNATURE]


def test_the_resident_is_told_in_their_language(make_app, clamd_socket):
    path, _server = clamd_socket
    app = make_app(CLAMD_SOCKET=path)
    client = app.test_client()
    client.get("/?lang=cy")
    html = upload_files(client, to_evidence(client), ("llythyr.pdf", files.pdf() + SIGNATURE)).get_data(as_text=True)
    assert "Mae’r ffeil a ddewiswyd, llythyr.pdf, yn cynnwys feirws" in html


def test_nothing_is_scanned_when_no_scanner_is_configured(make_app, clamd_socket):
    _path, server = clamd_socket
    app = make_app(CLAMD_SOCKET=None, CLAMD_HOST=None)
    client = app.test_client()
    upload_files(client, to_evidence(client), ("letter.pdf", files.pdf() + SIGNATURE))
    assert server.scanned == []
    assert [a.original_name for a in _attachments(app)] == ["letter.pdf"]
