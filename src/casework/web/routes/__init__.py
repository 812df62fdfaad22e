"""The API's blueprints, one per resource."""

from casework.web.routes import (
    audit, auth, calendar, campaigns, cases, evidence, notifications, units, users, workflows,
)

BLUEPRINTS = [auth.blp, units.blp, users.blp, workflows.blp, campaigns.blp, cases.blp, evidence.blp, notifications.blp,
              calendar.blp, audit.blp]
