"""Hand-built Open Badges 3.0 credentials and tampering helpers for the interop tests.

Every function returns a fresh dict, so tests can mutate what they get.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

#: ``created`` for proofs that must be byte-identical between implementations.
CREATED = "2024-05-01T12:00:00Z"
VALID_FROM = "2024-01-01T00:00:00Z"
#: The verification time: after VALID_FROM, before any validUntil used here.
NOW = datetime(2026, 1, 1, tzinfo=UTC)
NOW_ISO = "2026-01-01T00:00:00Z"

#: An issuer that is an https URL (verification method ``<issuer>#z6Mk...``).
HTTPS_ISSUER = "https://district.example/issuers/42"

_LONG_PARAGRAPH = (
    "Learners demonstrate the skill in at least three settings, document it with "
    "evidence (photos, reflections, teacher notes) and present it to a panel. "
    "Ünïcödé, “curly quotes”, 'single', \"double\", tabs\tand newlines\n"
    "are all part of the text; 数学と科学; العربية; 🎓🏅. "
)

#: Content variations: overrides for :func:`make_credential`, by case name.
#: They target what breaks canonicalization or JSON handling between
#: implementations: escaping in N-Quads (quotes, backslash, \t \n \r \b \f and
#: other control characters), non-ASCII and astral characters (UTF-16
#: surrogate pairs in JavaScript), no Unicode normalization, long strings.
CASES: dict[str, dict[str, Any]] = {
    "plain": {},
    "unicode": {
        "name": "Ünïcödé Bädge — Ωμέγα · 漢字 · עברית · العربية",
        "issuer_name": "École Élémentaire Saint-Éloi",
        "achievement_name": "Mathématiques avancées: ∑ ∫ √ ≠ ≤",
        # NFC "é" and decomposed "e\u0301" must stay distinct (no normalization)
        "description": "caf\u00e9 vs cafe\u0301; ß vs ss; ﬁ ligature; Å (U+212B) vs Å",
    },
    "quotes": {
        "name": "She said \"hello\" & it's <b>bold</b>",
        "achievement_name": "Quote \" backslash \\ slash / apostrophe ' backtick `",
        "description": "JSON-ish {\"a\": [1, 2]} and N-Quads-ish \"x\"^^<urn:y> . @en",
        "narrative": "\\\"escaped\\\" \\u0041 \\n (literal backslash sequences)",
    },
    "newlines": {
        "name": "Line one\nLine two",
        "description": "CRLF\r\nline; CR\rline; LF\nline; trailing newline\n",
        "narrative": "\n\nleading blank lines\n\n- item 1\n- item 2\n",
    },
    "tab": {
        "name": "Tab\tseparated\tname",
        "narrative": "\tindented with a tab\n\t\tand two",
    },
    "emoji": {
        "name": "🎓 Graduate 🏅",
        "achievement_name": "Scientist 👩🏽‍🔬 (ZWJ sequence) 🇺🇸 flag ❤️ (VS16)",
        "description": "astral: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 🀄 — BMP: ★ ☃ ✓",
    },
    "long_narrative": {
        "narrative": _LONG_PARAGRAPH * 120,  # ~30 kB
    },
    "control_chars": {
        # RDFC-1.0 canonical N-Quads: \b \t \n \f \r as ECHAR, other C0 and
        # DEL as \u00XX (UCHAR)
        "name": "bell\x07 backspace\b formfeed\f unit-sep\x1f del\x7f vt\x0b",
        "description": "U+2028\u2028U+2029\u2029 NBSP\u00a0 ZWSP\u200b BOM\ufeff",
    },
    "nul_char": {
        "description": "NUL here:\x00:end",
    },
    "whitespace": {
        "name": "  leading and trailing spaces  ",
        "achievement_name": " ",
        "narrative": "\u3000ideographic space\u3000",
    },
    "identifier_subject": {
        "subject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": "sha256$" + "0f" * 32,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": "s@lt-ü-🎓",
            }],
        },
    },
    # Several values of one property: canonical N-Quads are then ordered by the
    # literals. RDFC-1.0 says "Unicode code point order"; JavaScript's default
    # sort is by UTF-16 code unit, and the two disagree between astral
    # characters (surrogates D800-DFFF) and U+E000-U+FFFF.
    "sort_order_astral": {
        "tags": ["\uff01 fullwidth", "\U0001f393 cap", "\ue000 private use",
                 "\ufb33 dalet", "\U0001f602 joy", "z ascii"],
    },
    # Value objects with a base direction and/or language (JSON-LD 1.1 §4.2.4):
    # the eddsa-rdfc-2022 cryptosuite turns a direction into an i18n datatype
    # (rdfDirection "i18n-datatype"); both must be signed.
    "rtl_direction": {
        "description": {"@value": "مرحبا", "@language": "ar", "@direction": "rtl"},
    },
    "direction_without_language": {
        "description": {"@value": "left to right", "@direction": "ltr"},
    },
    "language_only": {
        "description": {"@value": "Bonjour à tous", "@language": "fr-CA"},
    },
}

#: The cases whose description is a value object carrying a direction or language.
I18N_CASES = ("rtl_direction", "direction_without_language", "language_only")

#: Cases where only the key/issuer form changes (signed with an https issuer key).
HTTPS_CASES = ("plain", "unicode", "emoji", "rtl_direction")


def make_credential(
    issuer_id: str,
    *,
    name: str = "Teamwork Badge",
    issuer_name: str = "Springfield Unified School District",
    achievement_name: str = "Teamwork",
    description: str | dict[str, Any] = "Recognizes collaboration within a group environment.",
    narrative: str = "Nominated by peers and recognized upon review by staff.",
    subject: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    cred_id: str | None = None,
    valid_from: str = VALID_FROM,
) -> dict[str, Any]:
    """A fresh, unsigned OpenBadgeCredential (OB 3.0 §B.1.1, VCDM 2.0)."""
    achievement: dict[str, Any] = {
        "id": "https://district.example/achievements/teamwork",
        "type": ["Achievement"],
        "name": achievement_name,
        "description": description,
        "criteria": {"narrative": narrative},
    }
    if tags is not None:
        achievement["tag"] = list(tags)
    cred_subject: dict[str, Any] = copy.deepcopy(subject) if subject is not None else {
        "id": "did:example:student-7c1f",
        "type": ["AchievementSubject"],
    }
    cred_subject["achievement"] = achievement
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": cred_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name},
        "validFrom": valid_from,
        "name": name,
        "credentialSubject": cred_subject,
    }


def case_credential(case: str, issuer_id: str) -> dict[str, Any]:
    """The credential for content case ``case`` (a key of :data:`CASES`)."""
    return make_credential(issuer_id, **copy.deepcopy(CASES[case]))


def controller_document(key_json: dict[str, Any]) -> dict[str, Any]:
    """A controller document naming an Ed25519 Multikey for ``assertionMethod``.

    What the issuer URL of a ``<issuer>#z6Mk...`` verification method would
    serve; DID-core context so that jsonld-signatures reads it without framing.
    """
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": key_json["controller"],
        "verificationMethod": [{
            "id": key_json["id"],
            "type": "Multikey",
            "controller": key_json["controller"],
            "publicKeyMultibase": key_json["publicKeyMultibase"],
        }],
        "assertionMethod": [key_json["id"]],
    }


# --- tampering ---------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def alter_one_char(text: str) -> str:
    """``text`` with one ASCII letter or digit replaced (one byte changed in UTF-8)."""
    for i, ch in enumerate(text):
        if ch.isascii() and ch.isalnum():
            repl = ch.swapcase() if ch.isalpha() else str((int(ch) + 1) % 10)
            return text[:i] + repl + text[i + 1:]
    return text + "x"


def alter_base58(text: str) -> str:
    """``text`` (multibase ``z...``) with one base58 character in the middle replaced."""
    i = len(text) // 2
    repl = _B58[(_B58.index(text[i]) + 1) % len(_B58)]
    return text[:i] + repl + text[i + 1:]


def _first_proof(cred: dict[str, Any]) -> dict[str, Any]:
    proof = cred["proof"]
    first: dict[str, Any] = proof[0] if isinstance(proof, list) else proof
    return first


def _bump_second(stamp: str) -> str:
    return stamp[:17] + f"{(int(stamp[17:19]) + 1) % 60:02d}" + stamp[19:]


def _subject_tamper(cred: dict[str, Any]) -> None:
    subject = cred["credentialSubject"]
    if "id" in subject:
        subject["id"] = alter_one_char(subject["id"][::-1])[::-1]
    else:
        ident = subject["identifier"][0]
        ident["identityHash"] = ident["identityHash"][:-1] + (
            "0" if ident["identityHash"][-1] != "0" else "1")


def _set(path: tuple[str, ...], fn: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def apply(cred: dict[str, Any]) -> None:
        node = cred
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = fn(node[path[-1]])
    return apply


#: One-change tampers of a signed credential; each must break every proof.
TAMPERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "name": _set(("name",), alter_one_char),
    "issuer_name": _set(("issuer", "name"), alter_one_char),
    "achievement_name": _set(("credentialSubject", "achievement", "name"),
                             lambda s: alter_one_char(s) if s.strip() else s + "."),
    "narrative": _set(("credentialSubject", "achievement", "criteria", "narrative"),
                      alter_one_char),
    "valid_from": _set(("validFrom",), _bump_second),
    "subject": _subject_tamper,
    "proof_created": lambda c: _first_proof(c).__setitem__(
        "created", _bump_second(_first_proof(c)["created"])),
    "proof_value": lambda c: _first_proof(c).__setitem__(
        "proofValue", alter_base58(_first_proof(c)["proofValue"])),
}


def _flip_direction(value: dict[str, Any]) -> dict[str, Any]:
    return {**value, "@direction": "ltr" if value.get("@direction") == "rtl" else "rtl"}


def _flip_language(value: dict[str, Any]) -> dict[str, Any]:
    return {**value, "@language": "fa" if value.get("@language") == "ar" else "ar"}


#: Tampers of the description's base direction and language tag, for :data:`I18N_CASES`.
I18N_TAMPERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "flip_direction": _set(("credentialSubject", "achievement", "description"),
                           _flip_direction),
    "flip_language": _set(("credentialSubject", "achievement", "description"),
                          _flip_language),
}


def tampered(cred: dict[str, Any], tamper: str) -> dict[str, Any]:
    """A deep copy of ``cred`` with tamper ``tamper`` (of :data:`TAMPERS` or
    :data:`I18N_TAMPERS`) applied."""
    out = copy.deepcopy(cred)
    (TAMPERS.get(tamper) or I18N_TAMPERS[tamper])(out)
    if out == cred:
        raise AssertionError(f"tamper {tamper!r} changed nothing")
    return out
