"""The back office's administration: staff accounts, settings, organisation, root-cause themes and message wording."""

# These pages add their routes to the administration blueprint (portal/admin/views.py) as they load.
from portal.admin import case_views, personal_data, translations  # noqa: F401
