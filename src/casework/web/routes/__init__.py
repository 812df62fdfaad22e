"""The API's blueprints, one per resource."""

from casework.web.routes import audit, auth, campaigns, cases, units, users, workflows

BLUEPRINTS = [auth.blp, units.blp, users.blp, workflows.blp, campaigns.blp, cases.blp, audit.blp]
