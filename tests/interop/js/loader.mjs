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
//      authentication / ... entries), the way a controller document is read.
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

/**
 * Build a document loader.
 *
 * @param {object} [documents] - Extra documents {url: document}.
 * @returns {Function} An async jsonld.js-style document loader.
 */
export function makeDocumentLoader(documents = {}) {
  const extra = new Map(Object.entries(documents || {}));
  return async function documentLoader(url) {
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
    throw new Error(
      `documentLoader: refusing to load "${url}" (offline loader: only ` +
      'bundled contexts from badges/contexts/url-map.json, did:key, and ' +
      'documents supplied in the request are served)');
  };
}
