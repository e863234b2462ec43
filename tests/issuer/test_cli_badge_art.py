"""``badges achievements image``: set an achievement's art from a file (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from PIL import Image

from issuer.cli import main
from issuer.db import Database
from issuer.models import Achievement
from issuer.models import AchievementImage
from issuer.models import AuditEvent
from issuer.services import artwork


@pytest.fixture
def runner(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    return CliRunner()


def _stored(db_url: str, slug: str) -> tuple[AchievementImage | None, str, int]:
    database = Database(db_url)
    try:
        with database.session() as session:
            achievement = session.scalar(sa.select(Achievement).where(Achievement.slug == slug))
            assert achievement is not None
            row = session.get(AchievementImage, achievement.id)
            if row is not None:
                session.expunge(row)
            events = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.action.startswith("achievement.image"))) or 0
            return row, artwork.art_for(session, achievement).alt, events
    finally:
        database.dispose()


def test_set_and_reset_an_achievements_image(runner: CliRunner, db_url: str,
                                             tmp_path: Path) -> None:
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    slug = "digital-literacy"
    listed = runner.invoke(main, ["achievements", "list", "--issuer", "lakeside"])
    assert slug in listed.output
    picture = io.BytesIO()
    Image.new("RGBA", (128, 128), (178, 60, 23, 255)).save(picture, format="PNG")
    (tmp_path / "art.png").write_bytes(picture.getvalue())
    (tmp_path / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9" onload="alert(1)"/>')

    missing_alt = runner.invoke(main, ["achievements", "image", "--issuer", "lakeside", slug,
                                       str(tmp_path / "art.png")])
    assert missing_alt.exit_code == 2 and "--alt is required" in missing_alt.output
    evil = runner.invoke(main, ["achievements", "image", "--issuer", "lakeside", slug,
                                str(tmp_path / "evil.svg"), "--alt", "A circle"])
    assert evil.exit_code == 2
    assert "event handler (onload=…)" in evil.output and "invalid_badge_art" in evil.output
    unknown = runner.invoke(main, ["achievements", "image", "--issuer", "lakeside", "nope",
                                   str(tmp_path / "art.png"), "--alt", "A circle"])
    assert unknown.exit_code == 2 and "no achievement 'nope'" in unknown.output
    assert _stored(db_url, slug)[0] is None and _stored(db_url, slug)[2] == 0

    done = runner.invoke(main, ["achievements", "image", "--issuer", "lakeside", slug,
                                str(tmp_path / "art.png"), "--alt", "A rust-red square"])
    assert done.exit_code == 0, done.output
    assert "now uses the uploaded PNG" in done.output and "Alt text: A rust-red square" in \
        done.output
    row, alt, events = _stored(db_url, slug)
    assert row is not None and row.source == "image/png" and alt == "A rust-red square"
    assert row.sha256 in done.output and events == 1

    back = runner.invoke(main, ["achievements", "image", "--issuer", "lakeside", slug,
                                "--generated"])
    assert back.exit_code == 0 and "back to the generated image" in back.output
    row, alt, events = _stored(db_url, slug)
    assert row is None and alt.startswith("Digital Literacy") and events == 2
    both = runner.invoke(main, ["achievements", "image", "--issuer", "lakeside", slug,
                                str(tmp_path / "art.png"), "--generated"])
    assert both.exit_code == 2
