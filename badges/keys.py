"""Key pairs, Multikey documents, JWKs and ``did:key`` identifiers.

One wrapper over ``cryptography`` for the three key kinds the service uses:

* Ed25519 for ``eddsa-rdfc-2022`` Data Integrity proofs (VC-DI-EdDSA §2.1.1,
  Multikey encoding with multicodec ``0xed01`` public / ``0x8026`` secret);
* P-256 for VC-JWT ``ES256`` (RFC 7518 §3.4);
* RSA for VC-JWT ``RS256`` (RFC 7518 §3.3; the OB 3.0 minimum, OB §8.2.4).

Keys never leave as raw bytes: a :class:`KeyPair` is a signer, a
:class:`PublicKey` is a verifier. ``did:key`` follows the did:key method
specification (§3.1.2 for Ed25519 ``z6Mk``, P-256 ``zDn``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from badges import multibase
from badges.errors import KeyError_

KeyType = Literal["ed25519", "p256", "rsa"]

#: JOSE algorithm for each key type (RFC 7518); Ed25519 is ``EdDSA`` (RFC 8037).
JOSE_ALG: dict[KeyType, str] = {"ed25519": "EdDSA", "p256": "ES256", "rsa": "RS256"}


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key that checks signatures.

    Attributes:
        type: ``ed25519``, ``p256`` or ``rsa``.
        key: the ``cryptography`` public key object.
    """

    type: KeyType
    key: Any

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Check ``signature`` over ``data``; never raises for a bad signature.

        ECDSA signatures are the raw 64-byte ``r || s`` form used by JOSE
        (RFC 7518 §3.4); RSA uses PKCS#1 v1.5 with SHA-256.
        """
        try:
            if self.type == "ed25519":
                self.key.verify(signature, data)
            elif self.type == "p256":
                if len(signature) != 64:
                    return False
                r = int.from_bytes(signature[:32], "big")
                s = int.from_bytes(signature[32:], "big")
                self.key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            else:
                self.key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    @property
    def multibase(self) -> str:
        """``publicKeyMultibase`` (base58btc multicodec) for Ed25519 and P-256 keys."""
        raw = self.key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ) if self.type == "ed25519" else None
        if raw is not None:
            return multibase.encode(multibase.ED25519_PUB + raw)
        if self.type == "p256":
            pt = self.key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
            return multibase.encode(multibase.P256_PUB + pt)
        raise KeyError_("RSA keys have no Multikey encoding here", code="unsupported_key_type")

    @property
    def did_key(self) -> str:
        """The ``did:key`` identifier of this key."""
        return "did:key:" + self.multibase

    def jwk(self) -> dict[str, str]:
        """The public JWK (RFC 7517) of this key, without ``kid``."""
        if self.type == "ed25519":
            raw = self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return {"kty": "OKP", "crv": "Ed25519", "x": multibase.b64url_encode(raw)}
        nums = self.key.public_numbers()
        if self.type == "p256":
            return {
                "kty": "EC",
                "crv": "P-256",
                "x": multibase.b64url_encode(nums.x.to_bytes(32, "big")),
                "y": multibase.b64url_encode(nums.y.to_bytes(32, "big")),
            }
        return {
            "kty": "RSA",
            "n": multibase.b64url_encode(_int_bytes(nums.n)),
            "e": multibase.b64url_encode(_int_bytes(nums.e)),
        }

    @property
    def jose_alg(self) -> str:
        """The JOSE ``alg`` this key signs with."""
        return JOSE_ALG[self.type]


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A private key with the verification method that names it.

    Attributes:
        type: ``ed25519``, ``p256`` or ``rsa``.
        key: the ``cryptography`` private key object.
        id: the verification method id (``did:key:z..#z..`` or an issuer URL with fragment).
        controller: the DID or URL that controls the key (the issuer id).
    """

    type: KeyType
    key: Any
    id: str
    controller: str

    @property
    def public(self) -> PublicKey:
        """The public half."""
        return PublicKey(self.type, self.key.public_key())

    @property
    def verification_method(self) -> str:
        """Alias of :attr:`id`, the proof's ``verificationMethod``."""
        return self.id

    @property
    def jose_alg(self) -> str:
        """The JOSE ``alg`` this key signs with."""
        return JOSE_ALG[self.type]

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: Ed25519 (RFC 8032), ES256 raw ``r||s``, or RS256 PKCS#1 v1.5."""
        if self.type == "ed25519":
            return bytes(self.key.sign(data))
        if self.type == "p256":
            der = self.key.sign(data, ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return bytes(self.key.sign(data, padding.PKCS1v15(), hashes.SHA256()))

    def with_controller(self, controller: str, key_id: str | None = None) -> KeyPair:
        """The same key named under another controller (e.g. an issuer's ``did:web``).

        Args:
            controller: the new controller id.
            key_id: the full verification method id; defaults to
                ``controller#<publicKeyMultibase>`` (OB 3.0 impl guide form).
        """
        vm = key_id or f"{controller}#{self.public.multibase}"
        return KeyPair(self.type, self.key, vm, controller)

    def to_json(self) -> dict[str, str]:
        """The key file: a Multikey document (Ed25519) or a private JWK with ``kid``."""
        if self.type == "ed25519":
            seed = self.key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            return {
                "id": self.id,
                "type": "Multikey",
                "controller": self.controller,
                "publicKeyMultibase": self.public.multibase,
                "secretKeyMultibase": multibase.encode(multibase.ED25519_PRIV + seed),
            }
        jwk: dict[str, str] = dict(self.public.jwk())
        if self.type == "p256":
            d = self.key.private_numbers().private_value
            jwk["d"] = multibase.b64url_encode(d.to_bytes(32, "big"))
        else:
            pn = self.key.private_numbers()
            for name, val in (
                ("d", pn.d), ("p", pn.p), ("q", pn.q),
                ("dp", pn.dmp1), ("dq", pn.dmq1), ("qi", pn.iqmp),
            ):
                jwk[name] = multibase.b64url_encode(_int_bytes(val))
        jwk["kid"] = self.id
        jwk["controller"] = self.controller
        return jwk


def _int_bytes(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def generate(key_type: KeyType = "ed25519") -> KeyPair:
    """Generate a new key pair named by its own ``did:key``.

    Args:
        key_type: ``ed25519`` (default, for Data Integrity), ``p256`` or ``rsa``.

    Returns:
        A key pair whose controller is its ``did:key`` (RSA keys, which have no
        did:key form, are named ``urn:key:<thumbprint>`` until placed under an issuer).
    """
    if key_type == "ed25519":
        return _self_named("ed25519", ed25519.Ed25519PrivateKey.generate())
    if key_type == "p256":
        return _self_named("p256", ec.generate_private_key(ec.SECP256R1()))
    if key_type == "rsa":
        return _self_named("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    raise KeyError_(f"unsupported key type {key_type!r}", code="unsupported_key_type")


def _self_named(key_type: KeyType, private: Any) -> KeyPair:
    pub = PublicKey(key_type, private.public_key())
    if key_type == "rsa":
        controller = "urn:key:" + jwk_thumbprint(pub.jwk())
        return KeyPair(key_type, private, controller + "#key-0", controller)
    did = pub.did_key
    return KeyPair(key_type, private, f"{did}#{pub.multibase}", did)


def ed25519_from_seed(seed: bytes, *, controller: str | None = None) -> KeyPair:
    """An Ed25519 key pair from its 32-byte seed (RFC 8032 §5.1.5).

    Args:
        seed: 32 bytes (a 64-byte seed||public value is accepted and checked).
        controller: the controller id; defaults to the key's ``did:key``.

    Raises:
        KeyError_: when the seed has the wrong length or its public half disagrees.
    """
    if len(seed) == 64:
        seed, pub = seed[:32], seed[32:]
        key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        if key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ) != pub:
            raise KeyError_("secret key's public half does not match its seed")
    elif len(seed) == 32:
        key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    else:
        raise KeyError_("an Ed25519 seed is 32 bytes")
    pair = _self_named("ed25519", key)
    return pair if controller is None else pair.with_controller(controller)


@lru_cache(maxsize=1024)
def public_from_multibase(value: str) -> PublicKey:
    """Decode a ``publicKeyMultibase`` (Ed25519 ``z6Mk`` or P-256 ``zDn``).

    Remembered by value (keys are immutable): a verifier meets the same few
    issuer keys in credential after credential (did:key, DID documents).

    Raises:
        KeyError_: for any other multicodec prefix or a malformed key
            (VC-DI-EdDSA §2.1.1: other prefixes MUST be rejected).
    """
    try:
        raw = multibase.decode(value)
    except multibase.MultibaseError as exc:
        raise KeyError_(f"publicKeyMultibase is not valid multibase: {exc.message}") from None
    if raw[:2] == multibase.ED25519_PUB and len(raw) == 34:
        return PublicKey("ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw[2:]))
    if raw[:2] == multibase.P256_PUB and len(raw) == 35:
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        except ValueError:
            raise KeyError_("P-256 public key is not a point on the curve") from None
        return PublicKey("p256", point)
    raise KeyError_("publicKeyMultibase is not an Ed25519 or P-256 Multikey",
                    code="unsupported_key_type")


def public_from_jwk(jwk: Any) -> PublicKey:
    """Load a public JWK (OKP/Ed25519, EC/P-256 or RSA).

    Raises:
        KeyError_: when the JWK is malformed, of an unsupported kind, or
            carries private members (OB 3.0 §8.2.4: a header ``jwk`` MUST NOT contain ``d``).
    """
    if not isinstance(jwk, dict):
        raise KeyError_("JWK is not an object")
    if "d" in jwk:
        raise KeyError_("a public JWK must not contain the private member 'd'",
                        code="private_key_exposed")
    try:
        kty = jwk.get("kty")
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            raw = multibase.b64url_decode(jwk["x"])
            return PublicKey("ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw))
        if kty == "EC" and jwk.get("crv") == "P-256":
            x = int.from_bytes(multibase.b64url_decode(jwk["x"]), "big")
            y = int.from_bytes(multibase.b64url_decode(jwk["y"]), "big")
            return PublicKey("p256", ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1())
                             .public_key())
        if kty == "RSA":
            n = int.from_bytes(multibase.b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(multibase.b64url_decode(jwk["e"]), "big")
            if n.bit_length() < 2048:
                raise KeyError_("RSA keys shorter than 2048 bits are refused", code="weak_key")
            return PublicKey("rsa", rsa.RSAPublicNumbers(e, n).public_key())
    except KeyError_:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyError_(f"malformed JWK: {exc}") from None
    raise KeyError_("unsupported JWK key type", code="unsupported_key_type")


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url)."""
    required = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y"),
                "RSA": ("e", "kty", "n")}
    members = {k: jwk[k] for k in required[jwk["kty"]]}
    digest = hashes.Hash(hashes.SHA256())
    digest.update(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return multibase.b64url_encode(digest.finalize())


def load_key_file(data: Any) -> KeyPair:
    """Load a key file written by :meth:`KeyPair.to_json`.

    Accepts a Multikey document (``secretKeyMultibase`` or the W3C test-vector
    name ``privateKeyMultibase``) or a private JWK (EC P-256, RSA, OKP Ed25519).

    Raises:
        KeyError_: when the document is not a usable private key.
    """
    if not isinstance(data, dict):
        raise KeyError_("key file is not a JSON object")
    secret = data.get("secretKeyMultibase") or data.get("privateKeyMultibase")
    if isinstance(secret, str):
        try:
            raw = multibase.decode(secret)
        except multibase.MultibaseError as exc:
            raise KeyError_(f"secretKeyMultibase: {exc.message}") from None
        if raw[:2] != multibase.ED25519_PRIV:
            raise KeyError_("secretKeyMultibase is not an Ed25519 secret key",
                            code="unsupported_key_type")
        pair = ed25519_from_seed(raw[2:])
        expected = data.get("publicKeyMultibase")
        if expected is not None and expected != pair.public.multibase:
            raise KeyError_("publicKeyMultibase does not match the secret key")
        controller = data.get("controller")
        if isinstance(controller, str) and controller:
            vm = data.get("id") if isinstance(data.get("id"), str) else None
            return pair.with_controller(controller, vm)
        return pair
    if "d" in data and "kty" in data:
        return _private_from_jwk(data)
    raise KeyError_("key file has neither secretKeyMultibase nor a private JWK")


def _private_from_jwk(jwk: dict[str, Any]) -> KeyPair:
    public = public_from_jwk({k: v for k, v in jwk.items() if k not in _PRIVATE_JWK})
    try:
        d = int.from_bytes(multibase.b64url_decode(jwk["d"]), "big")
        if public.type == "p256":
            priv: Any = ec.derive_private_key(d, ec.SECP256R1())
            if priv.public_key().public_numbers() != public.key.public_numbers():
                raise KeyError_("JWK private value does not match its public point")
        elif public.type == "ed25519":
            priv = ed25519.Ed25519PrivateKey.from_private_bytes(multibase.b64url_decode(jwk["d"]))
        else:
            nums = public.key.public_numbers()
            vals = {k: int.from_bytes(multibase.b64url_decode(jwk[k]), "big")
                    for k in ("p", "q", "dp", "dq", "qi")}
            priv = rsa.RSAPrivateNumbers(vals["p"], vals["q"], d, vals["dp"], vals["dq"],
                                         vals["qi"], nums).private_key()
    except KeyError_:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyError_(f"malformed private JWK: {exc}") from None
    pair = _self_named(public.type, priv)
    kid, controller = jwk.get("kid"), jwk.get("controller")
    if isinstance(kid, str) and kid:
        if not isinstance(controller, str) or not controller:
            controller = kid.split("#", 1)[0]
        return KeyPair(pair.type, priv, kid, controller)
    return pair


_PRIVATE_JWK = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "kid", "controller"})
