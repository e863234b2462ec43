"""Reading award files: CSV dialects, XLSX workbooks, JSON rows; line numbers people can find."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from issuer.batch import intake
from issuer.services.errors import ServiceError


def test_csv_headers_are_matched_loosely_and_lines_are_file_lines() -> None:
    data = ("\ufeffE-mail;Recipient Name;Badge;Evidence link;Issue date;Notes\n"
            "a@x.org;Ann;blended;https://e.example/1;2025-08-15;first\n"
            "\n"
            'b@x.org;"Bo\nMulti";blended;;;second\n'
            "c@x.org;Cy;blended;;;\n").encode("utf-8")
    found = intake.read_file(data, "upload.csv")
    assert found.source == "csv"
    assert found.ignored_columns == ["Notes"]
    assert [r.line for r in found.rows] == [2, 4, 6]
    assert found.rows[0].values == {"email": "a@x.org", "name": "Ann",
                                    "achievement": "blended",
                                    "evidence_url": "https://e.example/1",
                                    "issued_on": "2025-08-15"}
    assert found.rows[1].values["name"] == "Bo\nMulti"


def test_windows_1252_and_tabs() -> None:
    data = "email\tname\nj@x.org\tJosé Núñez\n".encode("cp1252")
    assert intake.read_file(data).rows[0].values["name"] == "José Núñez"


def test_xlsx_rows_keep_spreadsheet_numbers_and_dates() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([None])
    sheet.append(["Email", "Name", "Achievement", "Issued on"])
    sheet.append(["a@x.org", "Ann", "blended", datetime(2025, 8, 15)])
    sheet.append([None, None, None, None])
    sheet.append(["b@x.org", "Bo", "blended", None])
    buffer = io.BytesIO()
    book.save(buffer)
    found = intake.read_file(buffer.getvalue(), "district.xlsx")
    assert found.source == "xlsx"
    assert [r.line for r in found.rows] == [3, 5]
    assert found.rows[0].values["issued_on"] == datetime(2025, 8, 15)


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty_file"),
    (b"name,achievement\nAnn,x\n", "missing_column"),
    (b"email,achievement\na@x.org,x\n", "missing_column"),
    (b"email,e-mail,name\n", "duplicate_column"),
    (b"PK\x03\x04not really a zip", "unreadable_file"),
])
def test_unusable_files_are_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(ServiceError) as caught:
        intake.read_file(data, "x.csv")
    assert caught.value.code == code


def test_old_excel_files_are_refused() -> None:
    with pytest.raises(ServiceError) as caught:
        intake.read_file(b"\xd0\xcf\x11\xe0 binary", "awards.xls")
    assert caught.value.code == "unsupported_file"


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "MAX_ROWS", 3)
    data = b"email,name\n" + b"".join(b"t%d@x.org,T\n" % i for i in range(4))
    with pytest.raises(ServiceError) as caught:
        intake.read_file(data)
    assert (caught.value.code, caught.value.status) == ("too_many_rows", 413)


def test_json_rows() -> None:
    found = intake.from_json([{"email": "a@x.org", "name": "Ann", "evidenceUrl": "https://e/1",
                               "idempotencyKey": "lms-42"}, {"email": "b@x.org", "name": ""}])
    assert [r.line for r in found.rows] == [1, 2]
    assert found.rows[0].values["idempotency_key"] == "lms-42"
    assert found.rows[1].values == {"email": "b@x.org"}
    for bad, code in (({"rows": 1}, "invalid_json"), ([1], "invalid_json"),
                      ([{"email": "a@x.org", "colour": "red"}], "unknown_field"),
                      ([], "empty_file")):
        with pytest.raises(ServiceError) as caught:
            intake.from_json(bad)
        assert caught.value.code == code
