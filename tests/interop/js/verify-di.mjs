// stdin:  {credential, now?, documents?, ignoreStatus?, fetchOrigins?,
//          checkBitstringStatus?}  (the last: check credentialStatus with
//          @digitalbazaar/vc-bitstring-status-list, fetching the lists)
//         or {batch: [...], ...shared fields}
// stdout: {verified: bool, errors: [...messages]} (batch: {results: [...]})
//         plus `fetched: [urls]` when `fetchOrigins` is given.
// `fetchOrigins` (opt-in, e.g. ["http://127.0.0.1:5000"]): did:web DIDs on
// those origins are resolved by fetching their DID document (see loader.mjs).
import {errorMessages, main} from './common.mjs';
import {makeDocumentLoader, verifyCredential} from './di.mjs';

await main(async request => {
  const {
    credential, now, documents, ignoreStatus, fetchOrigins, checkBitstringStatus
  } = request;
  const documentLoader = makeDocumentLoader(documents, {fetchOrigins});
  const result = await verifyCredential({
    credential, now, ignoreStatus, checkBitstringStatus, documentLoader
  });
  const errors = [];
  errorMessages(result.error, errors);
  for(const r of result.results ?? []) {
    errorMessages(r.error, errors);
    if(r.purposeResult && !r.purposeResult.valid) {
      errorMessages(r.purposeResult.error, errors);
    }
  }
  const verified = result.verified === true;
  if(!verified && errors.length === 0) {
    errors.push('not verified (no reason given)');
  }
  const answer = {verified, errors};
  if(fetchOrigins !== undefined) {
    answer.fetched = [...documentLoader.fetched];
  }
  return answer;
});
