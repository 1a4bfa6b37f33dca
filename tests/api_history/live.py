"""Real HTTP from a chosen loopback source address (127.0.0.1 or 127.0.0.2) to the live server."""
import requests
from requests.adapters import HTTPAdapter


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(source: str) -> requests.Session:
    assert source.startswith("127."), "loopback only"
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between us and the live server
    session.mount("http://", SourceAddressAdapter(source))
    return session
