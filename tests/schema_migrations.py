"""Moving the test database's schema back and forth, for tests of data migrations."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets=None):
    """The schema at ``targets`` (default: every app's latest, as after an upgrade), and the
    historical models there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Import into a test module: the latest schema again after each test, also when one fails
    half-way (the rest of the suite needs the whole schema)."""
    yield
    migrate()
