import os

from django.core.wsgi import get_wsgi_application

from hub.chunked_bodies import chunked_bodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
application = chunked_bodies(get_wsgi_application())

# Each web worker imports this module once at start (or the master, with --preload).
from hub.gc_startup import startup_objects_freeze  # noqa: E402

startup_objects_freeze()
