"""Every environment variable the code reads is documented in the settings table
(docs/settings.md), and the README names the ones the contract lists."""

import re

from .layout import PACKAGES, ROOT

READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_read_is_in_the_readme():
    read = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            read.update(READ.findall(path.read_text()))
    assert "DATABASE_URL" in read and "COUNT_FOLD_WINDOW_SECONDS" in read
    table = (ROOT / "docs" / "settings.md").read_text()
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert missing == []


def test_the_readme_names_the_settings_every_deployment_sets():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Settings") :]
    section = section[: section.index("\n## ", 5)]
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_HOST",
        "DEFAULT_FROM_EMAIL",
        "SITE_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
    ):
        assert f"`{name}`" in section
    assert "docs/settings.md" in section
