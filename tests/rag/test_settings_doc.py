"""The README's settings table is the one generated from Settings: every setting documented, none stale."""

import re

from rag.config import Settings, settings_table
from tests.conftest import REPO


def test_readme_settings_table_is_generated_from_settings():
    readme = (REPO / "README.md").read_text()
    block = re.search(r"<!-- settings-table:[^\n]*-->\n(.*?)<!-- /settings-table -->", readme, re.S)
    assert block, "README lost its generated settings table"
    assert block.group(1) == settings_table(), "run `python -m rag.config` and paste its output into the README"


def test_every_setting_has_a_description_and_a_row():
    table = settings_table()
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"`CLINRAG_{name.upper()}`" in table
    assert "`CLINRAG_INGEST_THREADS`" in table
