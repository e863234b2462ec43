// Self-test of the JavaScript side, independent of the Python code:
//   node tests/interop/js/selftest.mjs     (or: npm test --prefix tests/interop/js)
// Checks the libraries and the scripts' stdin/stdout contract against the
// published test vectors bundled in tests/fixtures/vectors.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as jose from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {importKey, makeDocumentLoader, signCredential, verifyCredential}
  from './di.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const VECTORS = resolve(HERE, '../../fixtures/vectors');
const readJson = p => JSON.parse(readFileSync(resolve(VECTORS, p), 'utf8'));
const NOW = '2030-01-01T00:00:00Z';

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch(e) {
    failures++;
    console.log(`FAIL ${name}\n     ${(e.stack || e).toString()
      .split('\n').join('\n     ')}`);
  }
}

function run(script, request) {
  const out = spawnSync(process.execPath, [resolve(HERE, script)], {
    input: JSON.stringify(request), encoding: 'utf8'
  });
  assert.equal(out.status, 0, `${script} exited ${out.status}: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

// OB 3.0 implementation guide vector (issuer https URL, VM <issuer>#z6Mk...)
const ob = readJson('ob_v3p0_eddsa-rdfc-2022/vector.json');
const obUnsigned = readJson('ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json');
const obSigned = readJson('ob_v3p0_eddsa-rdfc-2022/signed-credential.json');
const obOptions = readJson('ob_v3p0_eddsa-rdfc-2022/proof-options.json');
const obKey = {...ob.keyPair.multikey,
  secretKeyMultibase: ob.keyPair.secretKeyMultibase};
const obController = {
  '@context': ['https://www.w3.org/ns/did/v1',
    'https://w3id.org/security/multikey/v1'],
  id: ob.keyPair.multikey.controller,
  verificationMethod: [ob.keyPair.multikey],
  assertionMethod: [ob.keyPair.multikey.id]
};
const obDocuments = {[obController.id]: obController};

await check('OB vector: DB signs to the published proofValue', async () => {
  const keyPair = await importKey(obKey);
  const signed = await signCredential({
    credential: obUnsigned, keyPair, created: obOptions.created,
    documentLoader: makeDocumentLoader()
  });
  assert.equal(signed.proof.proofValue, ob.proofValue);
  assert.deepEqual(signed, obSigned);
});

await check('OB vector: DB verifies the published signed credential',
  async () => {
    const r = await verifyCredential({credential: obSigned, now: NOW,
      documentLoader: makeDocumentLoader(obDocuments)});
    assert.equal(r.verified, true, JSON.stringify(r, null, 1));
  });

await check('OB vector: one changed character is rejected', async () => {
  const bad = structuredClone(obSigned);
  bad.credentialSubject.achievement.name = 'Teamwork!';
  const r = await verifyCredential({credential: bad, now: NOW,
    documentLoader: makeDocumentLoader(obDocuments)});
  assert.equal(r.verified, false);
});

await check('OB vector: no controller document -> refused, offline',
  async () => {
    const r = await verifyCredential({credential: obSigned, now: NOW,
      documentLoader: makeDocumentLoader()});
    assert.equal(r.verified, false);
    assert.match(JSON.stringify(r.error?.errors?.[0]?.message ??
      r.error?.message), /refusing to load/);
  });

await check('W3C vc-di-eddsa vector (did:key): DB verifies', async () => {
  const signed = readJson('w3c_vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json');
  const r = await verifyCredential({credential: signed, now: NOW,
    documentLoader: makeDocumentLoader()});
  // the vector's issuer is not the key's controller, which vc.js enforces
  // (purpose check, run only after the signature checked out); a tampered
  // copy must fail on the signature itself
  const r0 = r.results?.[0];
  assert.match(String(r0?.purposeResult?.error?.message),
    /issuer must match the verification method controller/);
  const bad = {...signed, name: signed.name + '.'};
  const r2 = await verifyCredential({credential: bad, now: NOW,
    documentLoader: makeDocumentLoader()});
  assert.equal(r2.results?.[0]?.purposeResult, undefined);
  assert.match(String(r2.error?.errors?.[0]?.message), /Invalid signature/);
});

await check('offline loader: unknown context / URL is refused', async () => {
  const loader = makeDocumentLoader();
  await assert.rejects(loader('https://w3id.org/security/v2'),
    /refusing to load/);
  await assert.rejects(loader('https://example.com/anything'),
    /refusing to load/);
  const ctx = await loader('https://www.w3.org/ns/credentials/v2');
  assert.ok(ctx.document['@context']);
});

await check('scripts: did:key sign -> verify round trip, batch form',
  async () => {
    const kp = await Ed25519Multikey.generate();
    const did = `did:key:${kp.publicKeyMultibase}`;
    const key = {id: `${did}#${kp.publicKeyMultibase}`, controller: did,
      publicKeyMultibase: kp.publicKeyMultibase,
      secretKeyMultibase: (await kp.export({secretKey: true, publicKey: true}))
        .secretKeyMultibase};
    const credential = structuredClone(obUnsigned);
    credential.issuer.id = did;
    credential.name = 'Ünïcödé "quotes"\n\ttab 🎓';
    const signed = run('sign-di.mjs', {key, created: '2024-05-01T12:00:00Z',
      batch: [{credential}, {credential: {...credential, name: 'x'}}]});
    assert.equal(signed.results.length, 2);
    const [a, b] = signed.results.map(r => r.credential);
    assert.equal(a.proof.created, '2024-05-01T12:00:00Z');
    assert.equal(a.proof.verificationMethod, key.id);
    const tampered = {...a, name: a.name + ' '};
    const verified = run('verify-di.mjs', {now: NOW,
      batch: [{credential: a}, {credential: b}, {credential: tampered}]});
    assert.deepEqual(verified.results.map(r => r.verified),
      [true, true, false]);
    assert.ok(verified.results[2].errors.length > 0);
  });

await check('scripts: sign failure is an answer, not a crash', async () => {
  const credential = {...obUnsigned, undefinedTerm: 'x'};
  const r = run('sign-di.mjs', {credential, key: obKey});
  assert.ok(r.error, JSON.stringify(r));
});

for(const alg of ['ES256', 'RS256']) {
  await check(`scripts: jose ${alg} VC-JWT sign -> verify`, async () => {
    const {privateKey, publicKey} = await jose.generateKeyPair(alg,
      {extractable: true});
    const key = {...await jose.exportJWK(privateKey), kid: 'urn:test#k1',
      controller: 'urn:test'};
    const jwk = await jose.exportJWK(publicKey);
    const payload = {...obUnsigned, iss: obUnsigned.issuer.id,
      nbf: 1262304000, jti: obUnsigned.id,
      sub: obUnsigned.credentialSubject.id};
    const {jwt} = run('jwt-sign.mjs', {payload, key});
    const header = jose.decodeProtectedHeader(jwt);
    assert.deepEqual(header, {alg, kid: 'urn:test#k1', typ: 'JWT'});
    const ok = run('jwt-verify.mjs', {jwt, jwk, now: NOW});
    assert.equal(ok.verified, true, ok.error);
    assert.deepEqual(ok.payload, payload);
    const [h, p, s] = jwt.split('.');
    const badSig = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}` +
      s.slice(11);
    const other = alg === 'ES256' ? 'RS256' : 'ES256';
    const results = run('jwt-verify.mjs', {jwk, now: NOW, batch: [
      {jwt: badSig},
      {jwt, now: '2000-01-01T00:00:00Z'}, // before nbf
      {jwt, alg: other} // algorithm not the key's
    ]}).results;
    assert.deepEqual(results.map(r => r.verified), [false, false, false],
      JSON.stringify(results));
    const embedded = run('jwt-sign.mjs', {payload, key, embedJwk: true}).jwt;
    assert.deepEqual(jose.decodeProtectedHeader(embedded),
      {alg, jwk, typ: 'JWT'});
  });
}

if(failures) {
  console.log(`\n${failures} check(s) FAILED`);
  process.exit(1);
}
console.log('\nall JavaScript self-checks passed');
