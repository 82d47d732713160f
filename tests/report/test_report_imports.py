"""Writing a run's files does not load the terminal stack (Rich): ``--json`` runs skip it."""

from __future__ import annotations

import subprocess
import sys


def test_the_file_writers_leave_rich_unloaded() -> None:
    code = (
        "import sys\n"
        "import vixshield.report.bundle, vixshield.report.html\n"
        "print(','.join(m for m in ('rich', 'rich.console') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_terminal_formats_are_the_reports() -> None:
    from vixshield.report import labels, terminal

    assert terminal.fmt_value is labels.fmt_value
    assert terminal.column_kind is labels.column_kind
    # the formats as the report shows them: percent of a fraction, dollars to the cent
    assert labels.fmt_value(0.1234, "pct") == "12.34%"
    assert labels.fmt_value(-1234.567, "usd") == "-$1,234.57"
    assert labels.fmt_value(float("nan")) == "–"
