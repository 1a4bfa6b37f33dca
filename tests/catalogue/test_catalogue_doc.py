from pathlib import Path

from hub.catalogue import CATALOGUE
from hub.catalogue.markdown import catalogue_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"


def test_docs_catalogue_is_generated_from_the_catalogue():
    assert DOC.read_text() == catalogue_markdown(), "run: python manage.py describe_catalogue > docs/catalogue.md"


def test_every_trigger_is_documented():
    text = DOC.read_text()
    assert all(f"### `{key}`" in text for key in CATALOGUE)
