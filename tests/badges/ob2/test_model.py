"""Recognising OB 2.0 input and unbaking OB 2.0 PNG/SVG badges (bounded, nothing inflated)."""

from __future__ import annotations

import json

import pytest

from badges import baking
from badges.errors import InputError
from badges.ob2 import detect
from tests.badges.ob2.issuer import bake_png
from tests.badges.ob2.issuer import bake_svg
from tests.badges.ob2.issuer import plain_png

ASSERTION = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
             "id": "https://badges.example/a/1.json"}


def test_unbake_ob2_png_itxt_and_text_chunks() -> None:
    assert baking.unbake_ob2(bake_png("https://badges.example/a/1.json")) == \
        "https://badges.example/a/1.json"
    assert baking.unbake_ob2(bake_png("https://x.example/a", kind=b"tEXt")) == \
        "https://x.example/a"
    assert baking.unbake_ob2(plain_png()) is None


def test_unbake_ob2_refuses_a_compressed_chunk() -> None:
    with pytest.raises(InputError) as exc:
        baking.unbake_ob2(bake_png("{}", compressed=True))
    assert exc.value.code == "malformed_image"


def test_unbake_ob2_svg_verify_attribute_wins_over_the_body() -> None:
    svg = bake_svg(verify="a.b.c", body=json.dumps(ASSERTION))
    assert baking.unbake_ob2(svg) == "a.b.c"
    assert json.loads(baking.unbake_ob2(bake_svg(body=json.dumps(ASSERTION))) or "") == ASSERTION
    with pytest.raises(InputError) as exc:
        baking.unbake_ob2(bake_svg())
    assert exc.value.code == "not_baked"


def test_an_ob3_credential_in_the_image_wins() -> None:
    both = baking.bake(bake_png("https://badges.example/a/1.json"), '{"type": "x"}')
    assert baking.unbake_ob2(both) is None


def test_unsafe_svg_is_still_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>' + bake_svg(verify="a.b.c")
    with pytest.raises(InputError) as exc:
        baking.unbake_ob2(evil)
    assert exc.value.code in ("unsafe_image", "malformed_image")


def test_detect_forms() -> None:
    assert detect(ASSERTION) is not None
    assert detect(json.dumps(ASSERTION)) is not None
    found = detect(bake_png(ASSERTION["id"]))
    assert found is not None and found.url == ASSERTION["id"] and found.source == "png"
    with pytest.raises(InputError) as exc:
        detect(bake_png("plain words"))
    assert exc.value.code == "ob2_baked_unreadable"
