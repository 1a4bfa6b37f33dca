"""Settings for `bench/api.py` only: the hub's settings with a bench URLconf that adds a bare endpoint."""
from hub.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.api_urls"
