"""Staff accounts, and the service areas a service responder answers for."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.encrypted import EncryptedString
from portal.models.organisation import ServiceArea

user_service_area = Table(
    "user_service_area",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id"), primary_key=True),
    Column("service_area_id", ForeignKey("service_area.id"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The shared secret of the authenticator app (base32, encrypted in the database), set when the member of staff
    # sets it up, and the last 30-second step whose code was accepted, so each code signs in once only.
    # Deferred: read only where a code is checked, so an unreadable secret stops that sign-in, not every staff page.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(), deferred=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    service_areas: Mapped[list[ServiceArea]] = relationship(secondary=user_service_area)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active
