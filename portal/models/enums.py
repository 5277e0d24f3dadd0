"""The closed vocabularies of the domain, stored as short strings."""

from enum import StrEnum


class CaseType(StrEnum):
    COMPLAINT = "complaint"
    COMPLIMENT = "compliment"
    SUGGESTION = "suggestion"
    SERVICE_REQUEST = "service_request"
    SIGNPOSTED = "signposted"


class Process(StrEnum):
    CORPORATE = "corporate"
    CHILDRENS = "childrens"
    ADULTS = "adults"


class CaseStatus(StrEnum):
    RECEIVED = "received"  # not yet triaged: "unallocated / not started"
    ACKNOWLEDGED = "acknowledged"
    WITH_SERVICE = "with_service"
    RESPONDED = "responded"
    CLOSED = "closed"


class Outcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"


class ClosedReason(StrEnum):
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"
    OUT_OF_TIME = "out_of_time"
    RESOLVED = "resolved"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    WEBCHAT = "webchat"


class ContactMethod(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"


class Role(StrEnum):
    OFFICER = "officer"
    MANAGER = "manager"
    RESPONDER = "responder"
    INVESTIGATOR = "investigator"
    ADMIN = "admin"
    REVIEWER = "reviewer"


class ActorType(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    SYSTEM = "system"
