"""The data model. Importing this package registers every table on Base.metadata."""

from portal.models.base import Base
from portal.models.case import Attachment, Case, Contact, Draft, Event, Message, Stage, TrackingToken
from portal.models.content import ContentTranslation
from portal.models.organisation import Directorate, MessageTemplate, ServiceArea, Theme, Timescale
from portal.models.outbox import OutboxMessage
from portal.models.outcomes import LearningAction, OmbudsmanRecord, Remedy
from portal.models.reporting import LgscoAnnualFigures, LgscoCategoryCount, SelfAssessment, SelfAssessmentItem
from portal.models.security import CaseSearch, CaseView, StaffSession
from portal.models.user import User

__all__ = [
    "Attachment",
    "Base",
    "Case",
    "CaseView",
    "Contact",
    "ContentTranslation",
    "Directorate",
    "Draft",
    "Event",
    "LearningAction",
    "LgscoAnnualFigures",
    "LgscoCategoryCount",
    "Message",
    "MessageTemplate",
    "OmbudsmanRecord",
    "OutboxMessage",
    "Remedy",
    "SelfAssessment",
    "SelfAssessmentItem",
    "ServiceArea",
    "Stage",
    "StaffSession",
    "CaseSearch",
    "Theme",
    "Timescale",
    "TrackingToken",
    "User",
]
