"""Translations of what the council configures: the names residents see and the start page's wording."""

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class ContentTranslation(Base):
    """The council's wording of one English text in one language, found by its English, as gettext finds a msgid.

    A directorate, service area or theme is translated by its English name, so renaming it asks for a new
    translation. The start page's introduction is found by the key "introduction", and may have an "en" row: the
    council's own English wording.
    """

    __tablename__ = "content_translation"
    __table_args__ = (UniqueConstraint("kind", "source", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(2000))
    language: Mapped[str] = mapped_column(String(35))
    text: Mapped[str] = mapped_column(Text)
