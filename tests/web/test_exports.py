"""The CSV of an export: every cell a spreadsheet could run is made inert."""

import pytest

from fabflow.web.exports import csv_bytes, neutralize_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+31 20 123", "'+31 20 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ring =1", "Ring =1"),
        ("", ""),
        (None, ""),
        (12, "12"),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralize_cell(value, expected):
    assert neutralize_cell(value) == expected


def test_csv_bytes_is_utf8_with_header_and_neutralised_cells():
    rows = [["Order", "Value (€)"], ['=HYPERLINK("x")', "10.50"], ["Ring, größe 52", "0.00"]]
    assert (
        csv_bytes(rows)
        == ('Order,Value (€)\r\n"\'=HYPERLINK(""x"")",10.50\r\n"Ring, größe 52",0.00\r\n').encode()
    )
