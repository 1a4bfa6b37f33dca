"""Settings for `bench/api.py` only: the hub's settings with a bench URLconf that adds a bare endpoint
and the idiomatic DRF peer of the call-history endpoint (django-filter, from requirements-bench.txt)."""
from hub.settings import *  # noqa: F401,F403
from hub.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_filters"]
ROOT_URLCONF = "bench.api_urls"
