"""A case (complaint, compliment, suggestion, service request or signposted contact) and what hangs off it."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from portal.models.base import Base, utcnow
from portal.models.enums import Process
from portal.models.organisation import ServiceArea, Theme
from portal.models.outcomes import LearningAction, OmbudsmanRecord, Remedy
from portal.search_text import email_key, name_key


class Contact(Base):
    """A person: the resident a case is about, or someone acting for them."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    preferred_contact: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(35), default="en")
    adjustments: Mapped[list[str]] = mapped_column(JSON, default=list)
    adjustments_detail: Mapped[str | None] = mapped_column(Text)
    # The name and email address as the back office's searches match them (portal/search_text.py), kept by the
    # listeners below whenever the ORM sets a name or an address; Core inserts (the import) set them themselves.
    name_key: Mapped[str | None] = mapped_column(Text)
    email_key: Mapped[str | None] = mapped_column(Text, index=True)


@event.listens_for(Contact.name, "set")
def _keep_name_key(target: Contact, value, _old, _initiator) -> None:
    target.name_key = name_key(value)


@event.listens_for(Contact.email, "set")
def _keep_email_key(target: Contact, value, _old, _initiator) -> None:
    target.email_key = email_key(value)


class Case(Base):
    __tablename__ = "case"
    # The back office lists newest first, within a status and type.
    __table_args__ = (
        Index("ix_case_status_type_received_at", "status", "type", "received_at"),
        # By type, then received date, covering the service area: the public figures count each type's contacts in
        # a period, and by service area, from it alone (portal/services/figures.py, contact_figures.py).
        Index("ix_case_type_received_on", "type", "received_on", "service_area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    language: Mapped[str] = mapped_column(String(35), default="en")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_area.id"), index=True)

    resident_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    representative_relationship: Mapped[str | None] = mapped_column(String(200))
    consent_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    desired_outcome: Mapped[str | None] = mapped_column(Text)

    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    triage_class: Mapped[str | None] = mapped_column(String(20))
    signposted_to: Mapped[str | None] = mapped_column(String(200))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    triaged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    closure_note: Mapped[str | None] = mapped_column(Text)
    # When the case's personal data was removed (retention or an erasure request); only its figures remain.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    service_area: Mapped[ServiceArea | None] = relationship()
    resident: Mapped[Contact] = relationship(foreign_keys=[resident_id])
    representative: Mapped[Contact | None] = relationship(foreign_keys=[representative_id])
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="case", order_by="Stage.number", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="case", order_by="Attachment.id")
    messages: Mapped[list["Message"]] = relationship(back_populates="case", order_by="Message.id")
    ombudsman_records: Mapped[list[OmbudsmanRecord]] = relationship(
        back_populates="case", order_by="OmbudsmanRecord.received_on, OmbudsmanRecord.id"
    )

    @property
    def correspondent(self) -> Contact:
        """Return whoever the council writes to: the representative when there is one."""
        return self.representative or self.resident

    @property
    def current_stage(self) -> "Stage | None":
        return self.stages[-1] if self.stages else None


stage_theme = Table(
    "stage_theme",
    Base.metadata,
    Column("stage_id", ForeignKey("stage.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id"), primary_key=True, index=True),
)


class Stage(Base):
    """One stage of a complaint's process, with its own deadline and response."""

    __tablename__ = "stage"
    __table_args__ = (
        Index("ix_stage_process_number_received", "process", "number", "received_on"),
        # Covers every column the public figures read, so they never touch the rows and their long texts. Its
        # order is the figures' grouping: they look up each case type, process, stage number and service area in
        # turn and read only the period's entries of each, already grouped, with no sort (portal/services/figures.py).
        Index(
            "ix_stage_figures",
            "case_type",
            "process",
            "number",
            "service_area_id",
            "received_on",
            "case_id",
            "responded_on",
            "within_timescale",
            "outcome",
            "closed_on",
            "closed_reason",
            "extended_to",
            "deadline",
            "top_theme_ids",
        ),
        UniqueConstraint("case_id", "number", name="uq_stage_case_id_number"),
        # Open stages by process and deadline: the overdue and due-soon lists.
        Index(
            "ix_stage_open_process_deadline",
            "process",
            "deadline",
            sqlite_where=text("responded_on IS NULL AND closed_on IS NULL"),
            postgresql_where=text("responded_on IS NULL AND closed_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    # Copies of the case's type and service area, so the figures count stages without joining the case. Kept in
    # step on every flush by _copy_case_onto_stages below; a Core insert or update must set them itself.
    case_type: Mapped[str] = mapped_column(String(20))
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_area.id"))
    # The top-level themes of the stage's themes (a detail counts as its parent), each once, as ",3,7,": so the
    # figures count themes from the stage alone. Kept in step with `themes` by _copy_top_themes below; a theme never
    # changes parent (the back office adds, renames and retires them), so its top never goes stale.
    top_theme_ids: Mapped[str | None] = mapped_column(Text)
    process: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    received_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    extended_to: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    responded_on: Mapped[date | None] = mapped_column(Date)
    within_timescale: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(20))
    response_text: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    responding_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    investigator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    independent_person_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Children's Stage 3: the review panel and the council's reply to its recommendations. The chain's links are
    # due in turn (panel meets, panel reports, council responds); `deadline` is always the next link's due date.
    panel_due_on: Mapped[date | None] = mapped_column(Date)
    panel_date: Mapped[date | None] = mapped_column(Date)
    panel_members: Mapped[str | None] = mapped_column(Text)  # the chair, then the members, one a line
    panel_report_due_on: Mapped[date | None] = mapped_column(Date)
    panel_report_received_on: Mapped[date | None] = mapped_column(Date)
    panel_recommendations: Mapped[str | None] = mapped_column(Text)
    council_response: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="stages")
    service_area: Mapped[ServiceArea | None] = relationship()  # the case's, copied: see service_area_id
    themes: Mapped[list[Theme]] = relationship(secondary=stage_theme, order_by="Theme.name")
    remedies: Mapped[list["Remedy"]] = relationship(cascade="all, delete-orphan", order_by="Remedy.id")
    learning: Mapped[list["LearningAction"]] = relationship(cascade="all, delete-orphan", order_by="LearningAction.id")

    @property
    def due_on(self) -> date:
        return self.extended_to or self.deadline

    @property
    def is_review_panel(self) -> bool:
        """Tell whether this is a children's Stage 3, heard by an independent review panel through a chain."""
        return self.process == Process.CHILDRENS and self.number == 3

    @property
    def ready_for_response(self) -> bool:
        """Tell whether the response can be written: a review panel's report must have come in first."""
        return not self.is_review_panel or self.panel_report_received_on is not None

    @property
    def panel_chair(self) -> str | None:
        return self.panel_members.splitlines()[0] if self.panel_members else None

    @property
    def panel_other_members(self) -> list[str]:
        return self.panel_members.splitlines()[1:] if self.panel_members else []


class Attachment(Base):
    """A file a resident or officer supplied, stored outside static/ under a random name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(20), default="resident")

    case: Mapped[Case | None] = relationship(back_populates="attachments")


class Message(Base):
    """Correspondence on a case: to or from the resident, or an internal note."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # to_resident, from_resident, internal_note
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship(back_populates="messages")


class Event(Base):
    """An append-only record of something that happened to a case: who, when and what changed."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case | None] = relationship()


class TrackingToken(Base):
    """A single-use link sent to a resident so they can see their case. Only a hash of the token is kept."""

    __tablename__ = "tracking_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class Draft(Base):
    """Answers a resident has given so far, kept on the server so no personal data sits in a cookie."""

    __tablename__ = "draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _refuse_to_rewrite_history(mapper, connection, target) -> None:
    raise EventHistoryIsAppendOnly(f"event {target.id} cannot be changed or removed")


class EventHistoryIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove a recorded event."""


@event.listens_for(Session, "before_flush")
def _copy_case_onto_stages(session, flush_context, instances) -> None:
    """Copy each case's type and service area onto its stages whenever a stage is added or the case changes.

    Whatever sets them (triage, allocation, submission, escalation, demo data, a test's hand-made case), the stages
    carry the same values as their case by the time anything reaches the database; only Core statements, which
    bypass the session (the spreadsheet import), set the copies themselves.
    """
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Case):
            changed = obj in session.new or _changed(obj, "type", "service_area_id", "service_area")
            if changed:
                for stage in obj.stages:
                    _copy_case_onto(stage, obj)
        elif isinstance(obj, Stage) and (obj in session.new or _changed(obj, "case_id", "case")):
            case = obj.case if obj.case is not None else session.get(Case, obj.case_id) if obj.case_id else None
            if case is not None:
                _copy_case_onto(obj, case)


@event.listens_for(Session, "after_flush")
def _copy_top_themes(session, flush_context) -> None:
    """Write each stage's top_theme_ids when its themes changed, once the flush has given every theme its id.

    The attribute histories still show what this flush wrote; the new value goes to the database in the same
    transaction and onto the object as already saved, so the object stays clean.
    """
    changed = [
        obj
        for obj in list(session.new) + list(session.dirty)
        if isinstance(obj, Stage) and obj.id is not None and _changed(obj, "themes")
    ]
    for stage in changed:
        value = top_theme_ids({theme.parent_id or theme.id for theme in stage.themes})
        if value != stage.top_theme_ids:
            session.connection().execute(
                Stage.__table__.update().where(Stage.__table__.c.id == stage.id).values(top_theme_ids=value)
            )
            set_committed_value(stage, "top_theme_ids", value)


def top_theme_ids(ids) -> str | None:
    """Write top-level theme ids as Stage.top_theme_ids keeps them: ",3,7,", in order; None for none."""
    return f",{','.join(str(i) for i in sorted(ids))}," if ids else None


def _changed(obj, *attributes: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _copy_case_onto(stage: Stage, case: Case) -> None:
    if stage.case_type != case.type:
        stage.case_type = case.type
    # A service area given as an object (case.service_area = area) may not have its id until this flush writes it:
    # then the stage takes the object too. An id set directly (case.service_area_id = 3) beats a loaded object.
    if _changed(case, "service_area") and not _changed(case, "service_area_id"):
        area = case.service_area
        if area is None or area.id is None:
            stage.service_area = area
            return
        area_id = area.id
    else:
        area_id = case.service_area_id
    if stage.service_area_id != area_id:
        stage.service_area_id = area_id
