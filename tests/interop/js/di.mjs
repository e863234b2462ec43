// Data Integrity (eddsa-rdfc-2022) issue/verify with Digital Bazaar's libraries.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  cryptosuite as eddsaRdfc2022CryptoSuite
} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {checkStatus as bitstringCheckStatus}
  from '@digitalbazaar/vc-bitstring-status-list';

import {makeDocumentLoader} from './loader.mjs';

/** Import a Multikey key document {id, controller, publicKeyMultibase,
 * secretKeyMultibase} as an Ed25519 key pair with a signer. */
export async function importKey(key) {
  if(!key || typeof key !== 'object') {
    throw new TypeError('"key" must be a Multikey document');
  }
  return Ed25519Multikey.from({
    type: 'Multikey',
    '@context': 'https://w3id.org/security/multikey/v1',
    id: key.id,
    controller: key.controller,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase: key.secretKeyMultibase
  });
}

/** Sign `credential` (not mutated) with vc.issue + DataIntegrityProof. */
export async function signCredential({
  credential, keyPair, created, documentLoader, now
}) {
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(),
    date: created ?? undefined,
    cryptosuite: eddsaRdfc2022CryptoSuite
  });
  return vc.issue({
    credential: structuredClone(credential), suite, documentLoader, now
  });
}

/** vc.verifyCredential with the eddsa-rdfc-2022 suite. */
export async function verifyCredential({
  credential, documentLoader, now, ignoreStatus = false, checkBitstringStatus = false
}) {
  const suite = new DataIntegrityProof({
    cryptosuite: eddsaRdfc2022CryptoSuite
  });
  const options = {credential, suite, documentLoader, now};
  if(checkBitstringStatus) {
    // Digital Bazaar's own Bitstring Status List checker: fetches the list
    // through the loader, verifies its proof and reads the bits.
    // `verified` there means "the lists were read and trusted"; each result's
    // `status` is the bit itself (true = revoked or suspended).
    options.checkStatus = async ({credential}) => {
      const result = await bitstringCheckStatus({
        credential, documentLoader, suite,
        verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true
      });
      const set = (result.results ?? []).filter(r => r.status)
        .map(r => r.credentialStatus?.statusPurpose);
      if(result.verified && set.length > 0) {
        return {...result, verified: false,
          error: new Error(`status set for purpose: ${set.join(', ')}`)};
      }
      return result;
    };
  } else if(ignoreStatus) {
    // proof-only check of a credential that carries `credentialStatus`;
    // without this vc.verifyCredential refuses such credentials
    options.checkStatus = async () => ({verified: true, skipped: true});
  }
  return vc.verifyCredential(options);
}

export {makeDocumentLoader};
