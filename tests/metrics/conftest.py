from tests.delivery_engine.receiver import receiver  # noqa: F401 (a fixture)
