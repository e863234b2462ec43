// VC-JWT (compact JWS) sign/verify with panva/jose.
import * as jose from 'jose';

const PUBLIC_MEMBERS = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
  OKP: ['kty', 'crv', 'x']
};
const PRIVATE_MEMBERS = {
  EC: ['d'],
  RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'],
  OKP: ['d']
};

// imported CryptoKeys by alg + JWK JSON, so that repeated operations with
// one key (batches, the benchmark) measure signing, not key parsing
const _keys = new Map();
async function importCached(jwk, alg) {
  const id = `${alg} ${JSON.stringify(jwk)}`;
  let key = _keys.get(id);
  if(!key) {
    key = await jose.importJWK(jwk, alg);
    _keys.set(id, key);
  }
  return key;
}

/** The JOSE `alg` for a JWK: its own `alg`, else ES256 (P-256) / RS256 (RSA) /
 * EdDSA (Ed25519). */
export function algFor(jwk) {
  if(jwk.alg) {
    return jwk.alg;
  }
  if(jwk.kty === 'EC' && jwk.crv === 'P-256') {
    return 'ES256';
  }
  if(jwk.kty === 'RSA') {
    return 'RS256';
  }
  if(jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return 'EdDSA';
  }
  throw new Error(`no JOSE algorithm for JWK kty=${jwk.kty} crv=${jwk.crv}`);
}

/** Only the RFC 7517/7518 key members (drops kid, controller, ...). */
export function bareJwk(jwk, {secret = false} = {}) {
  const names = [...(PUBLIC_MEMBERS[jwk.kty] ?? Object.keys(jwk))];
  if(secret) {
    names.push(...(PRIVATE_MEMBERS[jwk.kty] ?? []));
  }
  const out = {};
  for(const n of names) {
    if(jwk[n] !== undefined) {
      out[n] = jwk[n];
    }
  }
  return out;
}

/**
 * Sign `payload` as a compact JWS with header {alg, kid, typ: "JWT"}.
 * `embedJwk: true` puts the public JWK in the header instead of `kid`.
 */
export async function signJwt({payload, key, alg, kid, embedJwk = false}) {
  alg = alg ?? algFor(key);
  const privateKey = await importCached(bareJwk(key, {secret: true}), alg);
  const header = {alg};
  if(embedJwk) {
    header.jwk = bareJwk(key);
  } else {
    header.kid = kid ?? key.kid;
    if(!header.kid) {
      throw new Error('the key has no "kid" (and embedJwk is not set)');
    }
  }
  header.typ = 'JWT';
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);
}

/**
 * Verify a compact JWS VC-JWT against a public JWK; the accepted algorithm is
 * exactly the JWK's (or `alg` when given). jose also checks `nbf`/`exp`
 * against `now` (default: the current time).
 */
export async function verifyJwt({jwt, jwk, alg, now}) {
  alg = alg ?? algFor(jwk);
  const publicKey = await importCached(bareJwk(jwk), alg);
  const options = {algorithms: [alg]};
  if(now !== undefined && now !== null) {
    options.currentDate = new Date(now);
  }
  return jose.jwtVerify(jwt, publicKey, options);
}
