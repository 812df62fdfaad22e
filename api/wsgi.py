"""The WSGI entry point: `gunicorn 'api.wsgi:app'` (from the repository) or `gunicorn 'casework.web.wsgi:app'`.

Settings come from the environment (CASEWORK_DATABASE_URL, CASEWORK_REDIS_URL, …; see README).
"""

from casework.web.wsgi import app

__all__ = ["app"]
