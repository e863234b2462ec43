// stdin:  {payload, key: <private JWK with kid>, alg?, kid?, embedJwk?}
//         or {batch: [...], ...shared fields}
// stdout: {jwt} | {error}   (batch: {results: [...]})
// Header: {alg, kid, typ: "JWT"} ({alg, jwk, typ} with embedJwk).
import {errorMessages, main} from './common.mjs';
import {signJwt} from './jwt.mjs';

await main(async request => {
  try {
    return {jwt: await signJwt(request)};
  } catch(e) {
    return {error: errorMessages(e).join('; ')};
  }
});
