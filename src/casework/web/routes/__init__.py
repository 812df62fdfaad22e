"""The API's blueprints, one per resource."""

from casework.web.routes import (
    audit, auth, calendar, campaigns, cases, channels, evidence, households, imports, notifications, reports, sources,
    units, users, workflows,
)

BLUEPRINTS = [auth.blp, units.blp, users.blp, workflows.blp, campaigns.blp, cases.blp, evidence.blp, notifications.blp,
              calendar.blp, households.blp, imports.blp, sources.blp, reports.blp, audit.blp, channels.blp]
