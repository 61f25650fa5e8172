"""Write the settings table of docs/index.md from the declarations in src/fabflow/config.py.

    python scripts/settings_table.py

tests/operations/test_settings.py fails while the table and the declarations differ.
"""

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "src"))

from fabflow import config  # noqa: E402

INDEX = REPOSITORY / "docs" / "index.md"
BEGIN = "<!-- settings table: written by scripts/settings_table.py from src/fabflow/config.py -->\n"
END = "<!-- end of the settings table -->\n"


def documented_table(text: str) -> str:
    """The table between the markers of docs/index.md."""
    return text.split(BEGIN, 1)[1].split(END, 1)[0]


def main() -> int:
    text = INDEX.read_text()
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    INDEX.write_text(before + BEGIN + config.settings_table() + END + after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
