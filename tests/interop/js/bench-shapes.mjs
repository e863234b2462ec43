// Sign and verify time of Digital Bazaar's stack over a list of credentials,
// for bench/shapes.py (badges against JavaScript on credentials of many shapes).
//
// stdin:  {credentials: [unsigned, ...], key: <Ed25519 Multikey doc with
//          secretKeyMultibase>, created?, now?, rounds?: measured passes
//          (default 3), documents?}
// stdout: {sign_ms, verify_ms: mean wall-clock milliseconds per credential
//          over the measured passes, sign_cpu_ms, verify_cpu_ms: the same in
//          process CPU time (user + system, every thread), per_round: [...],
//          meta: {...}}
//
// One untimed pass over the whole list comes first (JIT and jsonld.js's
// resolved-context cache warm up, as in any long-running service); jsonld.js
// keeps no per-document-shape cache, so later passes cost what a new shape
// costs. Every operation is awaited before the next starts (one core).
import {main} from './common.mjs';
import {importKey, makeDocumentLoader, signCredential, verifyCredential}
  from './di.mjs';

await main(async request => {
  const documentLoader = makeDocumentLoader(request.documents);
  const keyPair = await importKey(request.key);
  const now = request.now ? new Date(request.now) : undefined;
  const rounds = request.rounds ?? 3;
  const perRound = [];
  for(let round = 0; round <= rounds; round++) {
    let signMs = 0;
    let verifyMs = 0;
    let signCpu = 0;
    let verifyCpu = 0;
    for(const credential of request.credentials) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const signed = await signCredential({
        credential, keyPair, created: request.created, documentLoader
      });
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      const result = await verifyCredential({credential: signed, documentLoader, now});
      const t2 = performance.now();
      const c2 = process.cpuUsage();
      if(!result.verified) {
        return {error: `not verified: ${JSON.stringify(result.error ?? result)}`};
      }
      signMs += t1 - t0;
      verifyMs += t2 - t1;
      signCpu += (c1.user + c1.system - c0.user - c0.system) / 1000;
      verifyCpu += (c2.user + c2.system - c1.user - c1.system) / 1000;
    }
    if(round > 0) {
      const n = request.credentials.length;
      perRound.push({sign_ms: signMs / n, verify_ms: verifyMs / n,
        sign_cpu_ms: signCpu / n, verify_cpu_ms: verifyCpu / n});
    }
  }
  const mean = key => perRound.reduce((a, r) => a + r[key], 0) / perRound.length;
  return {
    sign_ms: mean('sign_ms'), verify_ms: mean('verify_ms'),
    sign_cpu_ms: mean('sign_cpu_ms'), verify_cpu_ms: mean('verify_cpu_ms'),
    per_round: perRound,
    meta: {node: process.version, credentials: request.credentials.length, rounds}
  };
});
