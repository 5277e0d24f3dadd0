"""Reading the emails the app wrote to its mail folder, and asking for a tracking link as a resident would."""

import email
import re
from email import policy
from email.message import EmailMessage

from tests.conftest import csrf_token


def mails(mail_dir, template: str = "*") -> list[EmailMessage]:
    """The emails of one template (all by default), oldest first."""
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(mail_dir.glob(f"*-{template}-*.eml"))
    ]


def ask_for_tracking_link(client, reference, address, **headers):
    """Post the 'check the progress' form; return the response."""
    token = csrf_token(client.get("/track"))
    return client.post("/track", data={"csrf_token": token, "reference": reference, "email": address}, headers=headers)


def tracking_link_path(mail_dir) -> str:
    """The path of the link in the newest tracking email, e.g. /track/link/abc..."""
    body = mails(mail_dir, "tracking_link")[-1].get_content()
    return "/track/link/" + re.search(r"/track/link/([A-Za-z0-9_-]+)", body).group(1)
