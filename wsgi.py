"""Entry point for WSGI servers: ``gunicorn -c python:survey.gunicorn_conf wsgi:app`` (see README)."""

from survey import create_app

app = create_app()
