"""What the council configures: directorates, service areas, root-cause themes and timescales."""

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base


class Directorate(Base):
    __tablename__ = "directorate"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    service_areas: Mapped[list["ServiceArea"]] = relationship(back_populates="directorate", order_by="ServiceArea.name")


class ServiceArea(Base):
    __tablename__ = "service_area"
    __table_args__ = (UniqueConstraint("directorate_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directorate_id: Mapped[int] = mapped_column(ForeignKey("directorate.id"))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    directorate: Mapped[Directorate] = relationship(back_populates="service_areas")


class Theme(Base):
    """A root-cause theme: top level when parent_id is empty, otherwise a detail of its parent."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    details: Mapped[list["Theme"]] = relationship(order_by="Theme.name")


class Timescale(Base):
    """How many working days a process's stage has, and the longest it may be extended to."""

    __tablename__ = "timescale"
    __table_args__ = (UniqueConstraint("process", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process: Mapped[str] = mapped_column(String(20))
    stage: Mapped[int] = mapped_column(Integer)
    working_days: Mapped[int] = mapped_column(Integer)
    max_working_days: Mapped[int] = mapped_column(Integer)
    counts_from: Mapped[str] = mapped_column(String(20), default="received")


class MessageTemplate(Base):
    """Wording the council edits for a kind of message (acknowledgement, response), per language."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("key", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(35))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
