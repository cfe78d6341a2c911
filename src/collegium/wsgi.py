"""WSGI entry point (served by waitress through ``collegium serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collegium.settings")
application = get_wsgi_application()
