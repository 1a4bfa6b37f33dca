import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
application = get_wsgi_application()

# Each web worker imports this module once at start (or the master, with --preload).
from hub.gc_startup import startup_objects_freeze  # noqa: E402

startup_objects_freeze()
