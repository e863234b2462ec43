// stdin:  {credential, key: {id, controller, publicKeyMultibase,
//          secretKeyMultibase}, created? (alias: date), now?, documents?}
//         or {batch: [{...}, ...], ...shared fields}
// stdout: {credential: <signed>} | {error, errors: [...]}
//         (batch: {results: [...]})
import {errorMessages, main} from './common.mjs';
import {importKey, makeDocumentLoader, signCredential} from './di.mjs';

await main(async request => {
  const {credential, key, documents, now} = request;
  const created = request.created ?? request.date;
  try {
    const keyPair = await importKey(key);
    const signed = await signCredential({
      credential, keyPair, created, now,
      documentLoader: makeDocumentLoader(documents)
    });
    return {credential: signed};
  } catch(e) {
    const errors = errorMessages(e);
    return {error: errors.join('; '), errors};
  }
});
