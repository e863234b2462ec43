// stdin:  {jwt, jwk: <public JWK>, alg?, now?} or {batch: [...], ...shared}
// stdout: {verified: true, payload, header} | {verified: false, error, code}
//         (batch: {results: [...]})
// Algorithms are restricted to the JWK's own (ES256 for P-256, RS256 for RSA).
import {main} from './common.mjs';
import {verifyJwt} from './jwt.mjs';

await main(async request => {
  try {
    const {payload, protectedHeader} = await verifyJwt(request);
    return {verified: true, payload, header: protectedHeader};
  } catch(e) {
    return {verified: false, error: `${e.name}: ${e.message}`, code: e.code};
  }
});
