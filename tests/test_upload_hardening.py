"""Evidence images keep their pictures but lose what they say about the resident; staff get files only as downloads."""

import gc
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, PngImagePlugin
from pillow_heif import register_heif_opener
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment, Case
from tests import files
from tests.conftest import csrf_token
from tests.journey import lodge
from tests.mail import ask_for_tracking_link, tracking_link_path
from tests.staff import staff_client
from tests.uploads_helpers import lodge_with_file, to_evidence, upload_files

WRONG_TYPE = "must be a PDF, JPEG, PNG, HEIC or Word (DOCX) file"
ADDRESS = "12 Acacia Avenue"
RED, BLUE = (255, 0, 0), (0, 0, 255)


def _two_colour(size: tuple[int, int]) -> Image.Image:
    """A picture whose left half is red and right half blue, so which way up it is can be seen."""
    width, height = size
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    return image


def _phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 28.0, 51.6)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 14.0, 43.2)
    return exif


def phone_photo(size: tuple[int, int] = (40, 20), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes one: the camera, where it was taken (GPS), a comment and XMP."""
    out = io.BytesIO()
    xmp = f"<x:xmpmeta><rdf:Description photoshop:City='{ADDRESS}'/></x:xmpmeta>".encode()
    _two_colour(size).save(out, "JPEG", quality=95, exif=_phone_exif(orientation), comment=ADDRESS.encode(), xmp=xmp)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"Taken at {ADDRESS}")
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{ADDRESS}</x:xmpmeta>")
    out = io.BytesIO()
    _two_colour((20, 10)).save(out, "PNG", pnginfo=info, exif=_phone_exif())
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a picture of this size: a decompression bomb when large."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _stored(app) -> list[tuple[Attachment, bytes]]:
    with app.app_context():
        attachments = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
        return [(a, (Path(app.config["UPLOAD_DIRECTORY"]) / a.stored_name).read_bytes()) for a in attachments]


def _nothing_stored(app) -> bool:
    folder = Path(app.config["UPLOAD_DIRECTORY"])
    return not _stored(app) and not (folder.exists() and any(folder.iterdir()))


def test_the_test_photo_really_carries_a_location():
    photo = Image.open(io.BytesIO(phone_photo()))
    assert photo.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert ADDRESS.encode() in phone_photo()
    assert Image.open(io.BytesIO(png_with_text())).text["Comment"] == f"Taken at {ADDRESS}"


def test_a_phone_photo_is_stored_without_its_location_or_other_metadata(app, client):
    token = to_evidence(client)
    html = upload_files(client, token, ("bin.jpg", phone_photo())).get_data(as_text=True)
    assert "bin.jpg" in html
    assert "govuk-error-summary" not in html
    [(attachment, kept)] = _stored(app)
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(kept)
    stored = Image.open(io.BytesIO(kept))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "exif" not in stored.info and "xmp" not in stored.info and "comment" not in stored.info
    for tell_tale in (b"Exif\0\0", ADDRESS.encode(), b"PhoneMaker", b"xmpmeta"):
        assert tell_tale not in kept


def test_a_photo_taken_sideways_is_stored_the_right_way_up(app, client):
    # Orientation 6: the camera was turned, so the picture is shown turned a quarter clockwise.
    token = to_evidence(client)
    upload_files(client, token, ("sideways.jpg", phone_photo(size=(40, 20), orientation=6)))
    [(_attachment, kept)] = _stored(app)
    stored = Image.open(io.BytesIO(kept)).convert("RGB")
    assert stored.size == (20, 40)
    # The red left half is now at the top, the blue right half at the bottom (JPEG shifts colours a little).
    top, bottom = stored.getpixel((10, 5)), stored.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_png_loses_its_text_chunks_but_keeps_its_picture(app, client):
    token = to_evidence(client)
    upload_files(client, token, ("screenshot.png", png_with_text()))
    [(attachment, kept)] = _stored(app)
    assert attachment.content_type == "image/png"
    stored = Image.open(io.BytesIO(kept))
    assert stored.text == {}
    assert dict(stored.getexif()) == {}
    assert ADDRESS.encode() not in kept and b"eXIf" not in kept and b"tEXt" not in kept and b"iTXt" not in kept
    assert stored.convert("RGB").getpixel((0, 0)) == RED
    assert stored.convert("RGB").getpixel((19, 9)) == BLUE


def test_a_transparent_png_stays_transparent(app, client):
    picture = Image.new("P", (4, 4), 0)
    picture.putpalette([255, 255, 255, 255, 0, 0])
    picture.paste(1, (0, 0, 2, 4))
    out = io.BytesIO()
    picture.save(out, "PNG", transparency=0)
    token = to_evidence(client)
    upload_files(client, token, ("logo.png", out.getvalue()))
    [(_attachment, kept)] = _stored(app)
    stored = Image.open(io.BytesIO(kept)).convert("RGBA")
    assert stored.getpixel((0, 0)) == (255, 0, 0, 255)
    assert stored.getpixel((3, 3))[3] == 0


def _truncated(content: bytes) -> bytes:
    return content[: len(content) // 2]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", files.jpeg()),  # a JPEG's opening bytes and nothing a decoder can use
        ("photo.jpg", _truncated(phone_photo(size=(64, 64)))),
        ("screenshot.png", _truncated(png_with_text())),
        ("screenshot.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
        # A HEIC's opening bytes (its ftyp box) and nothing a decoder can use; and half a real one.
        ("IMG_0001.HEIC", struct.pack(">I", 24) + b"ftypheic" + b"\0" * 4 + b"mif1heic" + b"\0" * 64),
        ("IMG_0001.HEIC", _truncated(files.heic())),
    ],
)
def test_an_image_that_cannot_be_decoded_is_refused(app, client, name, content):
    token = to_evidence(client)
    html = upload_files(client, token, (name, content)).get_data(as_text=True)
    assert f"The selected file {name} {WRONG_TYPE}" in html
    assert "govuk-error-summary" in html
    assert _nothing_stored(app)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", files.windows_program()),
        ("photo.jpg", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
        # Starts like a JPEG, so a check of the opening bytes alone lets it through; the rest is a web page.
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"<html><script>alert(document.cookie)</script></html>" * 4),
        ("photo.png", b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>" + b" " * 64),
    ],
)
def test_a_disguised_file_is_refused(app, client, name, content):
    token = to_evidence(client)
    html = upload_files(client, token, (name, content)).get_data(as_text=True)
    assert f"The selected file {name} {WRONG_TYPE}" in html
    assert _nothing_stored(app)


def test_a_decompression_bomb_is_refused_not_a_server_error(app, client):
    token = to_evidence(client)
    response = upload_files(client, token, ("huge.png", png_claiming(40_000, 40_000)))
    assert response.status_code == 200
    assert f"The selected file huge.png {WRONG_TYPE}" in response.get_data(as_text=True)
    assert _nothing_stored(app)


# Pillow only warns for pictures between its limit and twice it; the upload must be refused all the same.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_picture_over_the_pixel_limit_is_refused_even_where_pillow_only_warns(app, client, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    token = to_evidence(client)
    html = upload_files(client, token, ("big.jpg", phone_photo(size=(40, 40)))).get_data(as_text=True)
    assert f"The selected file big.jpg {WRONG_TYPE}" in html
    assert _nothing_stored(app)


def test_five_photos_are_kept_and_a_sixth_is_refused(app, client):
    token = to_evidence(client)
    upload_files(client, token, *[(f"{n}.jpg", phone_photo()) for n in range(5)])
    html = upload_files(client, token, ("sixth.jpg", phone_photo())).get_data(as_text=True)
    assert "You can upload up to 5 files" in html
    kept = _stored(app)
    assert [a.original_name for a, _content in kept] == [f"{n}.jpg" for n in range(5)]
    assert all(ADDRESS.encode() not in content for _a, content in kept)


# Werkzeug's test client spools a body this large to a temporary file it never closes; collect it here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning", "ignore::ResourceWarning")
def test_a_photo_over_10mb_is_refused_before_it_is_decoded(app, client):
    token = to_evidence(client)
    html = upload_files(client, token, ("big.jpg", phone_photo() + b"\0" * (10 * 1024 * 1024))).get_data(as_text=True)
    assert "The selected file big.jpg must be smaller than 10MB" in html
    assert _nothing_stored(app)
    gc.collect()


def test_a_photo_added_on_the_tracking_page_loses_its_location_too(app, client, mail_dir):
    reference = lodge(client)
    ask_for_tracking_link(client, reference, "jo@example.com")
    client.get(tracking_link_path(mail_dir))
    token = csrf_token(client.get("/track/case"))
    response = client.post(
        "/track/case/add-information",
        data={"csrf_token": token, "information": "Another photo.", "files": [(io.BytesIO(phone_photo()), "lid.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    [(attachment, kept)] = _stored(app)
    assert attachment.original_name == "lid.jpg"
    assert dict(Image.open(io.BytesIO(kept)).getexif()) == {}
    assert ADDRESS.encode() not in kept


def test_heic_photos_lose_their_location_when_pillow_heif_is_installed(app, client):
    register_heif_opener()
    out = io.BytesIO()
    _two_colour((40, 20)).save(out, "HEIF", exif=_phone_exif())
    sent = Image.open(io.BytesIO(out.getvalue()))
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    token = to_evidence(client)
    upload_files(client, token, ("IMG_0001.HEIC", out.getvalue()))
    [(attachment, kept)] = _stored(app)
    assert attachment.content_type == "image/heic"
    stored = Image.open(io.BytesIO(kept))
    assert (stored.format, stored.size) == ("HEIF", (40, 20))
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"PhoneMaker" not in kept
    assert stored.getpixel((2, 10))[0] > 200 and stored.getpixel((37, 10))[2] > 200  # still red then blue


def _download(app, client, name: str, content: bytes):
    reference = lodge_with_file(client, (name, content))
    with app.app_context():
        attachment_id = db.session.scalar(select(Case).filter_by(reference=reference)).attachments[0].id
    url = f"/staff/cases/{reference}/files/{attachment_id}"
    response = staff_client(app, "officer").get(url)
    response.get_data()  # read it all, so the file can be closed even if a test's assertion then fails
    response.close()
    return url, response


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("letter.pdf", files.pdf(), "application/pdf"),
        # A name that would have a browser show the file as a web page, were it not sent as an attachment.
        ("page.html", files.pdf(), "application/pdf"),
        ("zdjęcie kosza.jpg", phone_photo(), "image/jpeg"),
    ],
)
def test_staff_get_evidence_only_as_an_uncached_download(app, client, name, content, content_type):
    _url, response = _download(app, client, name, content)
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Expires" not in response.headers
    if content_type == "application/pdf":
        assert response.data == content
    else:
        assert ADDRESS.encode() not in response.data and Image.open(io.BytesIO(response.data)).size == (40, 20)


def test_a_non_ascii_file_name_survives_the_download(app, client):
    _url, response = _download(app, client, "zdjęcie kosza.jpg", phone_photo())
    assert "filename*=UTF-8''zdj%C4%99cie%20kosza.jpg" in response.headers["Content-Disposition"]


def test_evidence_is_not_served_to_anyone_signed_out_nor_from_any_other_address(app, client):
    url, _response = _download(app, client, "letter.pdf", files.pdf())
    [(attachment, _kept)] = _stored(app)
    stranger = app.test_client()
    response = stranger.get(url)
    assert response.status_code in (302, 303, 401, 403, 404)
    assert files.pdf() not in response.data
    for elsewhere in (f"/static/{attachment.stored_name}", f"/uploads/{attachment.stored_name}"):
        assert stranger.get(elsewhere).status_code == 404
