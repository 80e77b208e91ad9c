# The staff fixtures (logged-in clients by role) serve the dashboard tests too.
from tests.staff.conftest import admin, analyst, as_role, viewer  # noqa: F401
