"""The back office's administration: staff accounts, settings, organisation, root-cause themes and message wording."""

# The translation pages add their routes to the administration blueprint (portal/admin/views.py) as they load.
from portal.admin import translations  # noqa: F401
