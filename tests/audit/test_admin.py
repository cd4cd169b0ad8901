"""audit/admin.py: CSV cells of exports (the exports themselves: tests/monitoring/test_admin_desk.py)."""
import datetime

import pytest

from audit.admin import csv_cell


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(\"https://evil.example\")", "'=HYPERLINK(\"https://evil.example\")"),
    ("+1 555", "'+1 555"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("KOREA YUJONG", "KOREA YUJONG"),
    (None, ""),
    (True, "yes"),
    (False, "no"),
    (0.91, "0.91"),
    (datetime.date(2026, 11, 26), "2026-11-26"),
])
def test_csv_cells_a_spreadsheet_would_run_are_quoted(value, cell):
    assert csv_cell(value) == cell
