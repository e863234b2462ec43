// Throughput of the independent JavaScript implementations, for comparison
// with the Python benchmark.
//
// stdin:  {credential, key: <Ed25519 Multikey doc with secretKeyMultibase>,
//          seconds?: per measurement (default 3), warmup?: seconds (default
//          min(1, seconds/3)), created?, now?, documents?,
//          es256Key?, rs256Key?: private JWKs (generated with jose if absent)}
// stdout: {di_sign_ops_per_s, di_verify_ops_per_s,
//          jwt_es256_sign_ops_per_s, jwt_es256_verify_ops_per_s,
//          jwt_rs256_sign_ops_per_s, jwt_rs256_verify_ops_per_s, meta: {...}}
//
// Single-threaded: every operation is awaited before the next one starts, so
// at most one operation is in flight (one core busy) at any time. Each DI
// operation is a complete vc.issue / vc.verifyCredential call (fresh suite,
// no cache shared between operations other than jsonld.js's own resolved-
// context cache, which any long-running service has too).
import {readFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import os from 'node:os';

import * as jose from 'jose';

import {main} from './common.mjs';
import {importKey, makeDocumentLoader, signCredential, verifyCredential}
  from './di.mjs';
import {signJwt, verifyJwt} from './jwt.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

async function measure(fn, seconds, warmup) {
  const warmEnd = performance.now() + warmup * 1000;
  do {
    await fn();
  } while(performance.now() < warmEnd);
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while(now < end) {
    await fn();
    ops++;
    now = performance.now();
  }
  const elapsed = (now - start) / 1000;
  return {opsPerS: ops / elapsed, ops, elapsed};
}

function jwtPayload(credential) {
  const payload = structuredClone(credential);
  delete payload.proof;
  const issuer = credential.issuer;
  payload.iss = typeof issuer === 'string' ? issuer : issuer?.id;
  if(credential.id) {
    payload.jti = credential.id;
  }
  if(credential.validFrom) {
    payload.nbf = Math.floor(Date.parse(credential.validFrom) / 1000);
  }
  if(credential.validUntil) {
    payload.exp = Math.floor(Date.parse(credential.validUntil) / 1000);
  }
  const subject = Array.isArray(credential.credentialSubject) ?
    credential.credentialSubject[0] : credential.credentialSubject;
  if(subject?.id) {
    payload.sub = subject.id;
  }
  return payload;
}

async function privateJwk(alg, given) {
  if(given) {
    return given;
  }
  const options = {extractable: true};
  if(alg === 'RS256') {
    options.modulusLength = 2048;
  }
  const {privateKey} = await jose.generateKeyPair(alg, options);
  return {...await jose.exportJWK(privateKey), kid: `urn:bench:${alg}`};
}

function publicOf(jwk) {
  const {d, p, q, dp, dq, qi, ...pub} = jwk; // eslint-disable-line no-unused-vars
  return pub;
}

function versions() {
  const v = {node: process.versions.node};
  for(const name of ['@digitalbazaar/vc', '@digitalbazaar/data-integrity',
    '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
    '@digitalbazaar/ed25519-multikey', 'jsonld', 'rdf-canonize', 'jose']) {
    try {
      v[name] = JSON.parse(readFileSync(
        resolve(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch{
      v[name] = null;
    }
  }
  return v;
}

await main(async request => {
  const {credential, key} = request;
  const seconds = request.seconds ?? 3;
  const warmup = request.warmup ?? Math.min(1, seconds / 3);
  const now = request.now ?? new Date().toISOString();
  const documents = {...(request.documents ?? {})};
  if(!key.controller.startsWith('did:key:') && !documents[key.controller]) {
    // a controller document for an https issuer key (<issuer>#z6Mk... form)
    documents[key.controller] = {
      '@context': ['https://www.w3.org/ns/did/v1',
        'https://w3id.org/security/multikey/v1'],
      id: key.controller,
      verificationMethod: [{id: key.id, type: 'Multikey',
        controller: key.controller,
        publicKeyMultibase: key.publicKeyMultibase}],
      assertionMethod: [key.id]
    };
  }
  const documentLoader = makeDocumentLoader(documents);
  const unsigned = structuredClone(credential);
  delete unsigned.proof;
  const keyPair = await importKey(key);
  const sign = () => signCredential({
    credential: unsigned, keyPair, created: request.created, documentLoader
  });
  const signed = await sign();
  const check = await verifyCredential({credential: signed, documentLoader,
    now});
  if(!check.verified) {
    throw new Error('benchmark credential does not verify: ' +
      JSON.stringify(check.error?.errors?.map(e => e.message) ??
        check.error?.message));
  }
  const verify = async () => {
    const r = await verifyCredential({credential: signed, documentLoader,
      now});
    if(!r.verified) {
      throw new Error('verification failed during the benchmark');
    }
  };
  const out = {};
  const meta = {seconds, warmup, cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model, versions: versions(), ops: {}};
  let m = await measure(sign, seconds, warmup);
  out.di_sign_ops_per_s = m.opsPerS;
  meta.ops.di_sign = m.ops;
  m = await measure(verify, seconds, warmup);
  out.di_verify_ops_per_s = m.opsPerS;
  meta.ops.di_verify = m.ops;

  const payload = jwtPayload(credential);
  meta.jwt_payload_bytes = Buffer.byteLength(JSON.stringify(payload));
  for(const [alg, given] of [['ES256', request.es256Key],
    ['RS256', request.rs256Key]]) {
    const jwk = await privateJwk(alg, given);
    const pub = publicOf(jwk);
    const jwt = await signJwt({payload, key: jwk, alg});
    await verifyJwt({jwt, jwk: pub, alg, now});
    const label = alg.toLowerCase();
    // the imported key is cached (jwt.mjs), as a service would keep it
    m = await measure(() => signJwt({payload, key: jwk, alg}), seconds,
      warmup);
    out[`jwt_${label}_sign_ops_per_s`] = m.opsPerS;
    meta.ops[`jwt_${label}_sign`] = m.ops;
    m = await measure(() => verifyJwt({jwt, jwk: pub, alg, now}), seconds,
      warmup);
    out[`jwt_${label}_verify_ops_per_s`] = m.opsPerS;
    meta.ops[`jwt_${label}_verify`] = m.ops;
  }
  meta.di_proof_value = signed.proof.proofValue;
  return {...out, meta};
});
