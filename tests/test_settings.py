"""Every environment variable the code reads is documented in the README's settings table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_read_is_in_the_readme():
    read = set()
    for package in ("config", "front", "organise", "signatures", "letters", "ops"):
        for path in (ROOT / package).rglob("*.py"):
            read.update(READ.findall(path.read_text()))
    assert "DATABASE_URL" in read and "COUNT_FOLD_WINDOW_SECONDS" in read
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings") :]
    table = table[: table.index("\n## ", 5)]
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert missing == []
