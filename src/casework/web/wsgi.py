"""The app built from the environment, for WSGI servers (gunicorn 'casework.web.wsgi:app')."""

from casework.web.app import create_app

app = create_app()
