// stdin:  {jwt, jwk: <public JWK>, alg?, now?}
//         or {jwt, fetchOrigins: [origins], keyUrl?, alg?, now?}
//         or {batch: [...], ...shared}
// stdout: {verified: true, payload, header} | {verified: false, error, code}
//         (batch: {results: [...]}); with `fetchOrigins` also
//         `key: {jwk, source}` (the key used and where it was fetched from)
//         when the key could be resolved.
// Algorithms are restricted to the JWK's own (ES256 for P-256, RS256 for RSA).
//
// Without `jwk`, the key is FETCHED (opt-in; only from the origins listed in
// `fetchOrigins`, e.g. ["http://127.0.0.1:5000"]):
//   * `keyUrl` given: that URL must serve a JWK, or a JWK Set whose key with
//     the header's `kid` is used;
//   * else the header's `kid`: a did:web DID URL (`did:web:...#p256-1`) is
//     resolved through its DID document (did:web path mapping, see
//     loader.mjs); the verification method must be listed in
//     `assertionMethod` and carry `publicKeyJwk`. An http(s) `kid` is fetched
//     like `keyUrl`.
import * as jose from 'jose';

import {main} from './common.mjs';
import {verifyJwt} from './jwt.mjs';
import {
  dereferenceDidWeb, fetchAllowedJson, makeDidWebResolver, parseFetchOrigins
} from './loader.mjs';

function keyError(message) {
  const error = new Error(message);
  error.name = 'KeyResolutionError';
  error.code = 'ERR_KEY_RESOLUTION';
  return error;
}

async function jwkFromUrl(url, kid, origins) {
  const doc = await fetchAllowedJson(url, origins,
    'application/jwk+json, application/jwk-set+json, application/json');
  if(Array.isArray(doc.keys)) {
    const found = doc.keys.filter(k => k && k.kid === kid);
    if(found.length !== 1) {
      throw keyError(`the JWK Set at "${url}" has ${found.length} keys with ` +
        `kid ${JSON.stringify(kid)}`);
    }
    return found[0];
  }
  if(typeof doc.kty !== 'string') {
    throw keyError(`"${url}" did not return a JWK`);
  }
  return doc;
}

async function jwkFromDidWeb(kid, origins) {
  if(kid.indexOf('#') < 0) {
    throw keyError(`kid "${kid}" is a DID without a #fragment`);
  }
  const resolver = makeDidWebResolver(origins);
  const vm = await dereferenceDidWeb(kid, resolver);
  if(vm === undefined) {
    throw keyError(`refusing to resolve kid "${kid}": its did:web host is ` +
      'not in "fetchOrigins"');
  }
  const {document} = await resolver.resolve(kid.slice(0, kid.indexOf('#')));
  const fragment = kid.slice(kid.indexOf('#'));
  const assertion = [].concat(document.assertionMethod ?? []);
  const authorized = assertion.some(m => m === kid || m === fragment ||
    (m && typeof m === 'object' && (m.id === kid || m.id === fragment)));
  if(!authorized) {
    throw keyError(`"${kid}" is not in the DID document's assertionMethod`);
  }
  if(!vm.publicKeyJwk || typeof vm.publicKeyJwk !== 'object') {
    throw keyError(`verification method "${kid}" (type ${vm.type}) has no ` +
      'publicKeyJwk');
  }
  return {jwk: vm.publicKeyJwk, source: resolver.fetched[0]};
}

async function resolveKey({jwt, keyUrl, fetchOrigins}) {
  const origins = parseFetchOrigins(fetchOrigins);
  if(origins.length === 0) {
    throw keyError('no "jwk" given and no "fetchOrigins" to fetch it from');
  }
  const {kid} = jose.decodeProtectedHeader(jwt);
  if(keyUrl) {
    return {jwk: await jwkFromUrl(keyUrl, kid, origins), source: keyUrl};
  }
  if(typeof kid !== 'string' || kid === '') {
    throw keyError('the JWT header has no "kid" to resolve');
  }
  if(kid.startsWith('did:web:')) {
    return jwkFromDidWeb(kid, origins);
  }
  if(/^https?:\/\//.test(kid)) {
    return {jwk: await jwkFromUrl(kid, kid, origins), source: kid};
  }
  throw keyError(`cannot resolve kid "${kid}" (only did:web and http(s) ` +
    'URLs are resolved)');
}

await main(async request => {
  let key;
  try {
    if(request.jwk === undefined) {
      key = await resolveKey(request);
    }
    const {payload, protectedHeader} = await verifyJwt(
      key ? {...request, jwk: key.jwk} : request);
    const answer = {verified: true, payload, header: protectedHeader};
    if(key) {
      answer.key = key;
    }
    return answer;
  } catch(e) {
    const answer = {
      verified: false, error: `${e.name}: ${e.message}`, code: e.code
    };
    if(key) {
      answer.key = key;
    }
    return answer;
  }
});
