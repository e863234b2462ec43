// stdin:  {document, documents?} or {batch: [...], ...shared fields}
// stdout: {nquads} | {error}   (batch: {results: [...]})
// RDFC-1.0 canonical N-Quads exactly as the eddsa-rdfc-2022 cryptosuite
// computes them (jsonld.js toRDF in safe mode + rdf-canonize), for diagnosing
// a signature mismatch down to the differing quad.
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {errorMessages, main} from './common.mjs';
import {makeDocumentLoader} from './loader.mjs';

await main(async ({document, documents}) => {
  try {
    const nquads = await cryptosuite.canonize(document, {
      documentLoader: makeDocumentLoader(documents), base: null, safe: true
    });
    return {nquads};
  } catch(e) {
    return {error: errorMessages(e).join('; ')};
  }
});
