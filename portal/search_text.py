"""How names and email addresses are written for searching, the same way on SQLite and on PostgreSQL.

SQLite's lower() changes only the letters A to Z, so before these keys a search for "олена" (or for "Łukasz",
typed exactly as stored) found nothing on the embedded database. Python does the folding instead, when a contact
is saved, and the searches compare with the stored key.
"""

import unicodedata


def name_key(name: str | None) -> str | None:
    """A name as a search matches it: any case, any accents ("sian" finds "Siân", "олена" finds "ОЛЕНА")."""
    if name is None:
        return None
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def email_key(email: str | None) -> str | None:
    """An email address in lower case and nothing more: "zoë@" and "zoe@" are different people's mailboxes.

    A subject access request finds the cases by this key, so it must never match somebody else's address.
    """
    if email is None:
        return None
    return unicodedata.normalize("NFC", email.strip()).lower()
