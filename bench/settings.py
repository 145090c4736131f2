"""Bench settings: the project's, with DEBUG off (no query log), the bench-only endpoints
added to the URLs, and quiet logs so the load tool measures the application, not the console."""
from coordination.settings import *  # noqa: F401,F403
from coordination.settings import LOGGING

DEBUG = False
ROOT_URLCONF = "bench.urls"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
# Services send notification e-mail; keep it in memory instead of printing it.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
