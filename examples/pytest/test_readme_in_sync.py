"""This repository's check, not part of the recipe to copy: the README's pytest section (an abridged
conftest.py) sets the same environment variables as conftest.py, and its SDK lines name them."""
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETENV = re.compile(r'monkeypatch\.setenv\("([A-Z_]+)"')


def test_the_readme_shows_what_conftest_sets():
    readme = (HERE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### pytest (Python)", 1)[1].split("\n## ", 1)[0]
    conftest = (HERE / "conftest.py").read_text(encoding="utf-8")
    assert SETENV.findall(section) == SETENV.findall(conftest) == ["CONFIDENT_BASE_URL", "CONFIDENT_ORG_API_KEY"], \
        "README.md's pytest section and conftest.py set different variables: make them agree"
    assert "from confidentai import ConfidentAI" in section
    assert all(name in section.split("from confidentai import", 1)[1] for name in SETENV.findall(conftest))
    assert '/__admin/organizations"' in section and "def organization(confident_mock, monkeypatch)" in conftest
