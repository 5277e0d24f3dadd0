"""Figures about contacts that are not complaints: compliments and suggestions by directorate, and the services
residents most often asked for (service requests). One grouped query over the period's cases; nothing personal."""

from datetime import date

from sqlalchemy import func, select

from portal.extensions import cache, db
from portal.models import Case, Directorate, ServiceArea
from portal.models.enums import CaseType

TOP_SERVICE_REQUESTS = 10
COUNTED = (CaseType.COMPLIMENT, CaseType.SUGGESTION, CaseType.SERVICE_REQUEST)


def other_contact_figures(period_from: date, period_to: date) -> dict:
    """Return compliments and suggestions per directorate and the top ten services asked for, for a period.

    Contacts without a service area are counted under directorate and service None (the page says "not known").
    """
    rows = db.session.execute(
        select(Case.type, Directorate.name, ServiceArea.name, func.count())
        .select_from(Case)
        .outerjoin(ServiceArea, Case.service_area_id == ServiceArea.id)
        .outerjoin(Directorate, ServiceArea.directorate_id == Directorate.id)
        .where(Case.type.in_(COUNTED), Case.received_on.between(period_from, period_to))
        .group_by(Case.type, Directorate.name, ServiceArea.name)
    ).all()
    by_directorate: dict[str | None, dict[str, int]] = {}
    requests: list[dict] = []
    for case_type, directorate, service_area, count in rows:
        if case_type == CaseType.SERVICE_REQUEST:
            requests.append({"directorate": directorate, "service_area": service_area, "count": count})
        else:
            counts = by_directorate.setdefault(directorate, {"compliment": 0, "suggestion": 0})
            counts[case_type] += count
    directorates = [
        {"directorate": name, "compliments": counts["compliment"], "suggestions": counts["suggestion"]}
        for name, counts in sorted(by_directorate.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]
    requests.sort(key=lambda row: (-row["count"], row["service_area"] is None, row["service_area"] or ""))
    return {"by_directorate": directorates, "top_service_requests": requests[:TOP_SERVICE_REQUESTS]}


@cache.memoize()
def cached_other_contact_figures(period_from: date, period_to: date) -> dict:
    """Return other_contact_figures from the cache when a recent request computed them."""
    return other_contact_figures(period_from, period_to)
