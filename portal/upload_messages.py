"""What a resident is told when a file is refused, in their language."""

from flask_babel import gettext as _


def upload_error_message(code: str, filename: str) -> str:
    """Return the GOV.UK-style message for an upload refused with this code."""
    if code == "empty":
        return _("The selected file %(name)s is empty", name=filename)
    if code == "too_large":
        return _("The selected file %(name)s must be smaller than 10MB", name=filename)
    if code == "virus":
        return _("The selected file %(name)s contains a virus", name=filename)
    if code in ("scan_failed", "busy"):  # the scanner, or the room for drafts' files: both pass in time
        return _("The selected file %(name)s could not be uploaded – try again later", name=filename)
    return _("The selected file %(name)s must be a PDF, JPEG, PNG, HEIC or Word (DOCX) file", name=filename)
