"""What the council publishes once a year: the Ombudsman's annual figures and its self-assessment against the Code.

A financial year is kept as the calendar year it starts in (2024 for April 2024 to March 2025). Percentages are kept
as whole tenths of a percent (77.5% is 775), so they are exact on every database without a decimal type.
"""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow


class LgscoAnnualFigures(Base):
    """One financial year's figures from the Ombudsman's annual letter, beside the average of similar authorities."""

    __tablename__ = "lgsco_annual_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    start_year: Mapped[int] = mapped_column(Integer, unique=True)
    received_total: Mapped[int] = mapped_column(Integer)  # complaints and enquiries, the categories summed
    detailed_investigations: Mapped[int] = mapped_column(Integer)
    # The council's own percentages may be missing from a letter (no investigations, no recommendations due).
    upheld_tenths: Mapped[int | None] = mapped_column(Integer)
    upheld_average_tenths: Mapped[int] = mapped_column(Integer)
    compliance_tenths: Mapped[int | None] = mapped_column(Integer)
    compliance_average_tenths: Mapped[int] = mapped_column(Integer)
    remedy_tenths: Mapped[int | None] = mapped_column(Integer)  # satisfactory remedy before the Ombudsman got involved
    remedy_average_tenths: Mapped[int] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    categories: Mapped[list["LgscoCategoryCount"]] = relationship(
        cascade="all, delete-orphan", order_by="LgscoCategoryCount.position"
    )


class LgscoCategoryCount(Base):
    """Complaints and enquiries the Ombudsman received about the council in one of its categories."""

    __tablename__ = "lgsco_category_count"
    __table_args__ = (UniqueConstraint("figures_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    figures_id: Mapped[int] = mapped_column(ForeignKey("lgsco_annual_figures.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))  # a code: adult_care, housing, ...
    count: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class SelfAssessment(Base):
    """The council's assessment of itself against the Complaint Handling Code for a financial year."""

    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    start_year: Mapped[int] = mapped_column(Integer, unique=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    items: Mapped[list["SelfAssessmentItem"]] = relationship(
        cascade="all, delete-orphan", order_by="SelfAssessmentItem.position"
    )


class SelfAssessmentItem(Base):
    """One requirement of the Code: whether it is met, the evidence, and what the council will do."""

    __tablename__ = "self_assessment_item"
    __table_args__ = (UniqueConstraint("assessment_id", "requirement"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessment.id", ondelete="CASCADE"), index=True)
    requirement: Mapped[str] = mapped_column(String(40))  # a key of the configured requirements
    title: Mapped[str] = mapped_column(String(200))  # the requirement's name when the year was started
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str | None] = mapped_column(String(20))  # met, partly_met, not_met
    evidence: Mapped[str | None] = mapped_column(Text)
    action_planned: Mapped[str | None] = mapped_column(Text)
