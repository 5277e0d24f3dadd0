"""How names and email addresses are written for searching, the same way on SQLite and on PostgreSQL.

SQLite's lower() changes only the letters A to Z, so before these keys a search for "олена" (or for "Łukasz",
typed exactly as stored) found nothing on the embedded database. Python does the folding instead, when a contact
is saved, and the searches compare with the stored key.
"""

import unicodedata

# Letters with a stroke or a ligature, which Unicode does not decompose into a plain letter and an accent.
PLAIN_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "æ": "ae", "œ": "oe"})


def name_key(name: str | None) -> str | None:
    """A name as a search matches it and a list sorts it: any case, any accents ("sian" finds "Siân", "lukasz"
    finds "Łukasz", "олена" finds "ОЛЕНА")."""
    if name is None:
        return None
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(PLAIN_LETTERS)


def email_key(email: str | None) -> str | None:
    """An email address in lower case and nothing more: "zoë@" and "zoe@" are different people's mailboxes.

    A subject access request finds the cases by this key, so it must never match somebody else's address.
    """
    if email is None:
        return None
    return unicodedata.normalize("NFC", email.strip()).lower()


def in_name_order(people) -> list:
    """Staff (anything with a name and an email) sorted as a reader expects, the same on either database.

    SQLite orders "adam" after "Zara" and "Łucja" after both; PostgreSQL's order depends on its locale.
    """
    return sorted(people, key=lambda person: (name_key(person.name or person.email), person.email))
