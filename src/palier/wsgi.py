"""WSGI entry point: `gunicorn palier.wsgi` (see README.md, "Production")."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
application = get_wsgi_application()
