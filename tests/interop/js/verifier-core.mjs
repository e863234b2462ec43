// Digital Credentials Consortium's @digitalcredentials/verifier-core (the
// library behind VerifierPlus and the Learner Credential Wallet), run offline
// on one credential.
//
// stdin:  {credential, knownDIDRegistries?, documents?, origins?}
//         or {batch: [...], ...shared fields}
//   documents: {url: JSON document} served as the answer to that exact URL
//              (e.g. a dcc-legacy issuer registry the test writes);
//   origins:   {"https://127.0.0.1:PORT": "http://127.0.0.1:PORT", ...}: a
//              request to a key origin is sent, same path and headers, to
//              the value origin (the test's live service on loopback).
// stdout: {result, fetched: [{url, to, accept}], refused: [url]}
//   result:  verifier-core's verifyCredential answer (the echoed credential
//            left out);
//   fetched: the requests sent to a live origin, with the Accept they had;
//   refused: every URL asked for that is none of the above.
//
// verifier-core reaches the network through globalThis.fetch only: its
// did:web resolver and JSON-LD document loader through
// @digitalcredentials/http-client (ky, which calls globalThis.fetch at request
// time), its schema check and registry lookups with fetch itself. This
// script replaces globalThis.fetch before verifier-core is imported, and
// answers from, in order:
//   1. the OB 3.0 AchievementCredential JSON Schema, from the project's own
//      copy (badges/schemas; 1EdTech's CI build of the schema the purl URL
//      serves, see SOURCES.md);
//   2. JSON-LD contexts verifier-core does not bundle, from the project's
//      copies (badges/contexts/url-map.json);
//   3. `documents`;
//   4. `origins`.
// Anything else is refused (a network error, as if offline) and listed.
import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';

import {main} from './common.mjs';
import {CONTEXTS_DIR, urlMap} from './loader.mjs';

const SCHEMAS_DIR = resolve(CONTEXTS_DIR, '../schemas');
// verifier-core's guess for a VCDM 2.0 OpenBadgeCredential, and what our
// credentials name in credentialSchema (OB 3.0 §B.1.21)
const LOCAL_SCHEMAS = new Map([[
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/' +
    'ob_v3p0_achievementcredential_schema.json',
  'ob_v3p0_achievementcredential-jsonschema1.json'
]]);

const realFetch = globalThis.fetch;
let state;

function jsonResponse(document) {
  return new Response(JSON.stringify(document), {
    status: 200, headers: {'content-type': 'application/json'}
  });
}

function localDocument(url) {
  const schema = LOCAL_SCHEMAS.get(url);
  if(schema !== undefined) {
    return JSON.parse(readFileSync(resolve(SCHEMAS_DIR, schema), 'utf8'));
  }
  const context = urlMap().get(url);
  if(context !== undefined) {
    return JSON.parse(readFileSync(resolve(CONTEXTS_DIR, context), 'utf8'));
  }
  if(Object.hasOwn(state.documents, url)) {
    return structuredClone(state.documents[url]);
  }
  return undefined;
}

globalThis.fetch = async function offlineFetch(input, init) {
  const request = new Request(input, init);
  const url = request.url;
  const local = localDocument(url);
  if(local !== undefined) {
    return jsonResponse(local);
  }
  const parsed = new URL(url);
  const target = state.origins[parsed.origin];
  if(target === undefined) {
    state.refused.push(url);
    throw new TypeError(`fetch failed: offline test, "${url}" is not served`);
  }
  const to = new URL(parsed.pathname + parsed.search, target).href;
  state.fetched.push({url, to, accept: request.headers.get('accept')});
  return realFetch(new Request(to, {
    method: request.method,
    headers: request.headers,
    redirect: 'error',
    signal: AbortSignal.timeout(10_000)
  }));
};

// imported only now, so no module can keep a reference to the real fetch
const {verifyCredential} = await import('@digitalcredentials/verifier-core');

await main(async request => {
  state = {
    documents: request.documents ?? {},
    origins: request.origins ?? {},
    fetched: [],
    refused: []
  };
  const result = await verifyCredential({
    credential: request.credential,
    knownDIDRegistries: request.knownDIDRegistries ?? []
  });
  delete result.credential;
  // error objects (stack traces) do not survive JSON.stringify usefully
  for(const error of result.errors ?? []) {
    if(error.stackTrace !== undefined) {
      error.stackTrace = String(error.stackTrace?.stack ?? error.stackTrace);
    }
  }
  return {result, fetched: state.fetched, refused: state.refused};
});
