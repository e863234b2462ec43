"""The core commands of the ``badges`` CLI: keys, sign, verify, bake, unbake."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from issuer.cli import main
from tests.conftest import EXAMPLES
from tests.conftest import load_json
from tests.verifier.conftest import registry_file


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _png() -> bytes:
    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def _credential_for(controller: str) -> dict[str, Any]:
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": controller, "type": ["Profile"], "name": "Lakeside School District"}
    cred["name"] = "Blended Learning Design"
    return cred


def _keygen(runner: CliRunner, tmp: Path, key_type: str = "ed25519") -> tuple[Path, str]:
    key = tmp / f"{key_type}.json"
    result = runner.invoke(main, ["keys", "generate", "--out", str(key), "--type", key_type])
    assert result.exit_code == 0, result.output
    return key, result.stdout.strip()


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(("key_type", "fmt"), [("ed25519", "di"), ("p256", "jwt")])
def test_generate_sign_verify_bake_unbake(runner: CliRunner, tmp_path: Path, key_type: str,
                                          fmt: str) -> None:
    key, controller = _keygen(runner, tmp_path, key_type)
    key_doc = json.loads(key.read_text())
    if key_type == "ed25519":
        assert set(key_doc) == {"id", "type", "controller", "publicKeyMultibase",
                                "secretKeyMultibase"}
        assert key_doc["controller"] == controller == "did:key:" + key_doc["publicKeyMultibase"]
    else:
        assert key_doc["kty"] == "EC" and key_doc["kid"].startswith(controller + "#")
    assert key.stat().st_mode & 0o077 == 0
    cred = tmp_path / "cred.json"
    cred.write_text(json.dumps(_credential_for(controller)))
    signed = runner.invoke(main, ["sign", "--key", str(key), "--format", fmt, str(cred)])
    assert signed.exit_code == 0, signed.output
    out = tmp_path / ("signed.json" if fmt == "di" else "signed.jwt")
    out.write_text(signed.stdout)
    # A did:key issuer is known only to those who list it: the test lists it.
    known = registry_file(tmp_path, {controller: "Test district"})
    verified = runner.invoke(main, ["verify", "--json", "--offline", "--registry", known,
                                    str(out)])
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["verified"] is True
    assert {c["id"] for c in report["checks"]} >= {"format", "proof", "key_binding"}

    image = tmp_path / "badge.png"
    image.write_bytes(_png())
    baked = tmp_path / "baked.png"
    result = runner.invoke(main, ["bake", "--image", str(image), "--credential", str(out),
                                  "--out", str(baked)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["verify", "--offline", "--registry", known, str(baked)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("VERIFIED")
    unlisted = runner.invoke(main, ["verify", "--offline", str(baked)])
    assert unlisted.exit_code == 1, unlisted.output
    assert unlisted.stdout.startswith("GENUINE SIGNATURE, BUT THE ISSUER IS ON NONE")
    result = runner.invoke(main, ["unbake", str(baked)])
    assert result.exit_code == 0
    assert result.stdout.strip() == out.read_text().strip() or \
        json.loads(result.stdout) == json.loads(out.read_text())


def test_sign_refuses_a_credential_of_another_issuer(runner: CliRunner, tmp_path: Path) -> None:
    key, _ = _keygen(runner, tmp_path)
    cred = tmp_path / "cred.json"
    cred.write_text(json.dumps(_credential_for("did:key:z6MkSomebodyElse")))
    result = runner.invoke(main, ["sign", "--key", str(key), str(cred)])
    assert result.exit_code == 2
    assert "does not match the key's controller" in result.output


def test_sign_refuses_schema_and_safe_mode_failures(runner: CliRunner, tmp_path: Path) -> None:
    key, controller = _keygen(runner, tmp_path)
    bad_schema = _credential_for(controller)
    del bad_schema["credentialSubject"]["achievement"]["criteria"]
    undefined = _credential_for(controller)
    undefined["favouriteColour"] = "teal"
    for doc, message in ((bad_schema, "schema"), (undefined, "favouriteColour")):
        cred = tmp_path / "cred.json"
        cred.write_text(json.dumps(doc))
        result = runner.invoke(main, ["sign", "--key", str(key), str(cred)])
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output


@pytest.mark.usefixtures("no_network")
def test_verify_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    negative = EXAMPLES / "validator" / "negative" / "simple-err-proof-value.json"
    result = runner.invoke(main, ["verify", "--offline", str(negative)])
    assert result.exit_code == 1
    assert "NOT VERIFIED" in result.stdout and "signature_invalid" in result.stdout
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02 not a credential")
    result = runner.invoke(main, ["verify", "--json", "--offline", str(junk)])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["verified"] is False
    result = runner.invoke(main, ["verify", "--offline", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    result = runner.invoke(main, ["verify", "--offline", "-"], input="{not json")
    assert result.exit_code == 2
    assert "invalid_json" in result.stdout


def test_keys_generate_never_overwrites(runner: CliRunner, tmp_path: Path) -> None:
    key, _ = _keygen(runner, tmp_path)
    before = key.read_text()
    result = runner.invoke(main, ["keys", "generate", "--out", str(key)])
    assert result.exit_code == 2
    assert key.read_text() == before


def test_installed_console_script_runs(tmp_path: Path) -> None:
    exe = shutil.which("badges") or str(Path(__file__).parents[2] / ".venv" / "bin" / "badges")
    negative = EXAMPLES / "validator" / "negative" / "simple-err-expired.json"
    proc = subprocess.run([exe, "verify", "--json", "--offline", str(negative)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    codes = {c["id"]: c["code"] for c in report["checks"]}
    assert codes["validity_period"] == "expired"
    assert "Traceback" not in proc.stderr
