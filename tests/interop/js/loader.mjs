// Strictly offline JSON-LD document loader shared by the interop scripts.
//
// Serves, and nothing else (there is never any network access):
//   1. JSON-LD contexts, ONLY from the Python project's bundled copies listed in
//      badges/contexts/url-map.json (resolved relative to this file);
//   2. did:key DIDs and did:key#fragment verification methods (Ed25519 Multikey,
//      via @digitalbazaar/did-method-key);
//   3. documents supplied by the caller ({url: document}), e.g. an issuer's
//      controller document for an `https://issuer.example/...#z6Mk...` key.
//      A URL with a fragment is also found inside a supplied document for the
//      URL without the fragment (its verificationMethod / assertionMethod /
//      authentication / ... entries), the way a controller document is read;
//   4. ONLY when the caller opts in with `fetchOrigins` (e.g.
//      ["http://127.0.0.1:5000"]): did:web DIDs, and did:web DID URLs with a
//      #fragment, whose did:web host[:port] is one of those origins. The DID
//      document is FETCHED over HTTP(S) from that origin (did:web §3.2 path
//      mapping: did:web:host%3Aport:a:b -> <origin>/a/b/did.json, no path ->
//      <origin>/.well-known/did.json), its `id` must equal the DID, and a
//      #fragment is looked up inside it as in 3. Contexts are never fetched.
// Anything else throws.
import {readFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as DidKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CONTEXTS_DIR = resolve(HERE, '../../../badges/contexts');
const MULTIKEY_CONTEXT_V1 = 'https://w3id.org/security/multikey/v1';
const VM_RELATIONS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
];

let _urlMap;
const _contexts = new Map();

/** The bundled context URL -> file map (without `_comment`-style keys). */
export function urlMap() {
  if(!_urlMap) {
    const raw = JSON.parse(
      readFileSync(resolve(CONTEXTS_DIR, 'url-map.json'), 'utf8'));
    _urlMap = new Map(Object.entries(raw).filter(([k]) => !k.startsWith('_')));
  }
  return _urlMap;
}

function bundledContext(url) {
  let doc = _contexts.get(url);
  if(doc === undefined) {
    doc = JSON.parse(readFileSync(resolve(CONTEXTS_DIR, urlMap().get(url)),
      'utf8'));
    _contexts.set(url, doc);
  }
  // private copy: a loader must not hand out shared mutable state
  return structuredClone(doc);
}

const didKeyDriver = DidKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

function findInDocument(doc, url) {
  const fragment = url.slice(url.indexOf('#'));
  for(const rel of VM_RELATIONS) {
    const values = doc[rel] === undefined ? [] :
      (Array.isArray(doc[rel]) ? doc[rel] : [doc[rel]]);
    for(const vm of values) {
      // an absolute id, or a relative "#fragment" one
      if(vm && typeof vm === 'object' &&
        (vm.id === url || vm.id === fragment)) {
        const out = {...vm, id: url};
        if(!out.controller && doc.id) {
          out.controller = doc.id;
        }
        if(!out['@context']) {
          out['@context'] = out.type === 'Multikey' ?
            MULTIKEY_CONTEXT_V1 : doc['@context'];
        }
        return out;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Opt-in fetching (did:web and, for jwt-verify.mjs, single JWK URLs) from an
// explicit list of origins. Nothing is fetched without `fetchOrigins`.

const FETCH_TIMEOUT_MS = 10000;
const FETCH_MAX_BYTES = 1024 * 1024;

/**
 * Validate and normalize `fetchOrigins` (an array of "scheme://host[:port]").
 *
 * @param {Array<string>} [fetchOrigins] - The allowed origins.
 * @returns {Array<URL>} One URL per origin (empty when none are given).
 */
export function parseFetchOrigins(fetchOrigins) {
  if(fetchOrigins === undefined || fetchOrigins === null) {
    return [];
  }
  if(!Array.isArray(fetchOrigins)) {
    throw new TypeError('"fetchOrigins" must be an array of origins');
  }
  return fetchOrigins.map(origin => {
    let parsed;
    try {
      parsed = new URL(origin);
    } catch(e) {
      throw new TypeError(`"fetchOrigins": ${JSON.stringify(origin)} is not a URL`);
    }
    if(!['http:', 'https:'].includes(parsed.protocol) || parsed.username ||
      parsed.password || parsed.pathname !== '/' || parsed.search ||
      parsed.hash) {
      throw new TypeError(`"fetchOrigins": ${JSON.stringify(origin)} is not ` +
        'an http(s) origin ("scheme://host[:port]", no path)');
    }
    return parsed;
  });
}

function isAllowedUrl(url, origins) {
  return origins.some(origin => origin.origin === url.origin);
}

/**
 * Where a did:web DID's document lives, if its host is an allowed origin.
 *
 * @param {string} did - A did:web DID (no fragment).
 * @param {Array<URL>} origins - From parseFetchOrigins.
 * @returns {string|undefined} The DID document URL, or undefined when the DID's
 *   host[:port] is not an allowed origin.
 */
export function didWebDocumentUrl(did, origins) {
  if(!did.startsWith('did:web:') || /[?#/]/.test(did)) {
    throw new Error(`"${did}" is not a did:web DID without query or fragment`);
  }
  const parts = did.slice('did:web:'.length).split(':');
  if(parts.some(p => p === '')) {
    throw new Error(`"${did}" is not a valid did:web DID (empty segment)`);
  }
  let host;
  let path;
  try {
    host = decodeURIComponent(parts[0]);
    path = parts.slice(1).map(decodeURIComponent);
  } catch(e) {
    throw new Error(`"${did}" is not a valid did:web DID (bad percent-encoding)`);
  }
  if(/[/\\@?#\s]/.test(host) ||
    path.some(p => /[/\\?#]/.test(p) || p === '.' || p === '..')) {
    throw new Error(`"${did}" is not a valid did:web DID`);
  }
  for(const origin of origins) {
    let candidate;
    try {
      // same scheme, so a default port (":443" / ":80") compares equal
      candidate = new URL(`${origin.protocol}//${host}`);
    } catch(e) {
      continue;
    }
    if(candidate.host === origin.host) {
      const rest = path.length === 0 ? '/.well-known' :
        '/' + path.map(encodeURIComponent).join('/');
      return `${origin.origin}${rest}/did.json`;
    }
  }
  return undefined;
}

/**
 * GET a JSON object from an allowed origin (no redirects, bounded size/time).
 *
 * @param {string} url - The http(s) URL.
 * @param {Array<URL>} origins - From parseFetchOrigins.
 * @param {string} [accept] - The Accept header.
 * @returns {Promise<object>} The parsed JSON object.
 */
export async function fetchAllowedJson(url, origins, accept = 'application/json') {
  const parsed = new URL(url);
  if(!isAllowedUrl(parsed, origins)) {
    throw new Error(`refusing to fetch "${url}": its origin is not in ` +
      '"fetchOrigins"');
  }
  let response;
  try {
    response = await fetch(parsed, {
      headers: {accept},
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS)
    });
  } catch(e) {
    throw new Error(`could not fetch "${url}": ${e.cause?.message ?? e.message}`);
  }
  if(response.status !== 200) {
    throw new Error(`"${url}" answered HTTP ${response.status}`);
  }
  const body = await response.arrayBuffer();
  if(body.byteLength > FETCH_MAX_BYTES) {
    throw new Error(`"${url}" is larger than ${FETCH_MAX_BYTES} bytes`);
  }
  let doc;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(body));
  } catch(e) {
    throw new Error(`"${url}" did not return JSON: ${e.message}`);
  }
  if(!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`"${url}" did not return a JSON object`);
  }
  return doc;
}

/**
 * A did:web resolver restricted to `origins`: `resolve(did)` fetches (once per
 * resolver) and returns {document, url} or undefined when the DID's host is
 * not an allowed origin.
 *
 * @param {Array<URL>} origins - From parseFetchOrigins.
 * @returns {{resolve: Function, fetched: Array<string>}} The resolver; `fetched`
 *   lists the URLs it fetched.
 */
export function makeDidWebResolver(origins) {
  const cache = new Map();
  const fetched = [];
  async function resolveDid(did) {
    const url = didWebDocumentUrl(did, origins);
    if(url === undefined) {
      return undefined;
    }
    if(!cache.has(did)) {
      cache.set(did, (async () => {
        fetched.push(url);
        const document = await fetchAllowedJson(url, origins,
          'application/did+ld+json, application/did+json, application/json');
        if(document.id !== did) {
          throw new Error(`the DID document at "${url}" has id ` +
            `${JSON.stringify(document.id)}, not "${did}"`);
        }
        return {document, url};
      })());
    }
    return cache.get(did);
  }
  return {resolve: resolveDid, fetched};
}

/**
 * Dereference a did:web DID or DID URL (with a #fragment) against `resolver`.
 *
 * @returns {Promise<object|undefined>} The DID document, the verification
 *   method node (with `@context` and `controller`), or undefined when the DID's
 *   host is not allowed. Throws when the fragment is not in the document.
 */
export async function dereferenceDidWeb(url, resolver) {
  const hash = url.indexOf('#');
  const did = hash < 0 ? url : url.slice(0, hash);
  const resolved = await resolver.resolve(did);
  if(resolved === undefined) {
    return undefined;
  }
  if(hash < 0) {
    return structuredClone(resolved.document);
  }
  const found = findInDocument(resolved.document, url);
  if(!found) {
    throw new Error(`documentLoader: "${url}" is not a verification method ` +
      `of the DID document fetched from "${resolved.url}"`);
  }
  return structuredClone(found);
}

/**
 * Build a document loader.
 *
 * @param {object} [documents] - Extra documents {url: document}.
 * @param {object} [options] - Options.
 * @param {Array<string>} [options.fetchOrigins] - Opt-in: origins
 *   ("http://127.0.0.1:5000") whose did:web DIDs are resolved by fetching the
 *   DID document over HTTP(S). Default: none (strictly offline).
 * @returns {Function} An async jsonld.js-style document loader; its
 *   `fetched` property lists the URLs fetched so far.
 */
export function makeDocumentLoader(documents = {}, {fetchOrigins} = {}) {
  const extra = new Map(Object.entries(documents || {}));
  const origins = parseFetchOrigins(fetchOrigins);
  const didWeb = origins.length > 0 ? makeDidWebResolver(origins) : undefined;
  const loader = async function documentLoader(url) {
    const remote = document => ({contextUrl: null, documentUrl: url, document});
    if(typeof url !== 'string') {
      throw new TypeError(`documentLoader: URL must be a string, got ${url}`);
    }
    if(urlMap().has(url)) {
      return remote(bundledContext(url));
    }
    if(extra.has(url)) {
      return remote(structuredClone(extra.get(url)));
    }
    if(url.startsWith('did:key:')) {
      return remote(await didKeyDriver.get({url}));
    }
    const hash = url.indexOf('#');
    if(hash > 0 && extra.has(url.slice(0, hash))) {
      const found = findInDocument(extra.get(url.slice(0, hash)), url);
      if(found) {
        return remote(structuredClone(found));
      }
    }
    if(didWeb && url.startsWith('did:web:')) {
      const found = await dereferenceDidWeb(url, didWeb);
      if(found !== undefined) {
        return remote(found);
      }
    }
    if(origins.length > 0 && /^https?:/.test(url) && hash < 0 &&
      isAllowedUrl(new URL(url), origins)) {
      // e.g. a status list credential published by the service under test
      const document = await fetchAllowedJson(url, origins, 'application/vc+ld+json');
      loader.fetched.push(url);
      return remote(document);
    }
    throw new Error(
      `documentLoader: refusing to load "${url}" (offline loader: only ` +
      'bundled contexts from badges/contexts/url-map.json, did:key, ' +
      'documents supplied in the request, and did:web DIDs of the origins ' +
      'listed in "fetchOrigins" are served)');
  };
  loader.fetched = didWeb ? didWeb.fetched : [];  // also lists fetched status lists
  return loader;
}
