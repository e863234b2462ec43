// stdin:  {credential, now?, documents?, ignoreStatus?}
//         or {batch: [...], ...shared fields}
// stdout: {verified: bool, errors: [...messages]} (batch: {results: [...]})
import {errorMessages, main} from './common.mjs';
import {makeDocumentLoader, verifyCredential} from './di.mjs';

await main(async request => {
  const {credential, now, documents, ignoreStatus} = request;
  const result = await verifyCredential({
    credential, now, ignoreStatus,
    documentLoader: makeDocumentLoader(documents)
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
  return {verified, errors};
});
