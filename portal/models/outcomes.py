"""What a response leads to: remedies, learning ("you said, we did") and the Ombudsman's involvement."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base


class Remedy(Base):
    __tablename__ = "remedy"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # apology, financial, service_provided, training, procedure_change
    amount_pence: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)


class LearningAction(Base):
    """What will change because of a complaint, by whom and by when; published only once approved.

    A complaints manager reviews each action once its case is closed: publication_status goes from pending to
    published (with public_text, worded so no one can be identified) or declined, and a published one may later be
    unpublished. approved_for_publication is true exactly while it is published.
    """

    __tablename__ = "learning_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    what_will_change: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    approved_for_publication: Mapped[bool] = mapped_column(Boolean, default=False)
    public_text: Mapped[str | None] = mapped_column(Text)
    # pending, published, declined, unpublished
    publication_status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending", index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # Read-only: the stage's own `learning` list is how actions are added and removed.
    stage = relationship("Stage", viewonly=True)


class OmbudsmanRecord(Base):
    """An enquiry or decision of the Local Government and Social Care Ombudsman about a case."""

    __tablename__ = "ombudsman_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    lgsco_reference: Mapped[str | None] = mapped_column(String(40))
    # upheld, not_upheld, closed_after_initial_enquiries, referred_back, advice_given, incomplete_invalid
    decision: Mapped[str | None] = mapped_column(String(40))
    # What the Ombudsman asked the council to do: apology, financial, training, procedure_change, service_provided.
    remedy_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    remedy: Mapped[str | None] = mapped_column(Text)  # the remedy in the Ombudsman's words
    amount_pence: Mapped[int | None] = mapped_column(Integer)  # financial redress
    note: Mapped[str | None] = mapped_column(Text)
    # Whether the council did what the Ombudsman recommended, and when (None: not yet known or nothing asked).
    complied: Mapped[bool | None] = mapped_column(Boolean)
    complied_on: Mapped[date | None] = mapped_column(Date)

    case = relationship("Case", back_populates="ombudsman_records")
