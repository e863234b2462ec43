"""Download file names: for people, safe for every file system and header (issue #18)."""

from __future__ import annotations

import pytest

from issuer.web.common import content_disposition
from issuer.web.common import download_stem


@pytest.mark.parametrize(("achievement", "teacher", "stem"), [
    ("Blended Learning Design", "María López", "Blended Learning Design - María López"),
    ('Data "Use"/Analysis: 1', "Tom\r\nNakamura", "Data Use Analysis 1 - Tom Nakamura"),
    ("", "", "badge"),
    ("x" * 300, "Ana", "x" * 120),
])
def test_download_stem(achievement: str, teacher: str, stem: str) -> None:
    assert download_stem(achievement, teacher) == stem


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    value = content_disposition("attachment", 'Ünïcode "name".pdf')
    assert value == ("attachment; filename=\"Unicode name.pdf\"; "
                     "filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22name%22.pdf")
    assert "\n" not in content_disposition("inline", download_stem("a\nb", "c") + ".png")
