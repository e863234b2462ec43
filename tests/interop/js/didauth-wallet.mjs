// A test wallet for the VC-API exchange (issue #19): it proves control of its
// own did:key with a DIDAuth presentation, signed by independent libraries:
//   suite "Ed25519Signature2020": the Learner Credential Wallet's stack
//     (@digitalcredentials/vc + ed25519-signature-2020, VC 1.1 presentation);
//   suite "eddsa-rdfc-2022": Digital Bazaar's @digitalbazaar/vc +
//     DataIntegrityProof/eddsa-rdfc-2022 (VC 2.0 presentation).
//
// Request (stdin): {url: <exchange URL>, suite, mode?, challenge?}
//   mode "ok": POST {} -> VPR; sign with its challenge and domain; POST
//     {verifiablePresentation}. "wrong-challenge" / "wrong-domain" sign with
//     another challenge / domain; "bad-signature" alters the proofValue;
//     "replay" posts the same presentation a second time after success;
//     "legacy" skips the VPR and posts the bare presentation signed with
//     request.challenge and no domain (the older LCW deep link).
// Answer: {holder, request: VPR, status, body, replay?: {status, body}}
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as dbVc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as dccVc from '@digitalcredentials/vc';
import {Ed25519Signature2020} from '@digitalcredentials/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalcredentials/ed25519-verification-key-2020';
import {errorMessages, main} from './common.mjs';
import {makeDocumentLoader} from './loader.mjs';

const documentLoader = makeDocumentLoader();

async function post(url, body) {
  const response = await fetch(url, {method: 'POST', body: JSON.stringify(body),
    headers: {'Content-Type': 'application/json', Accept: 'application/json'}});
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return {status: response.status, body: parsed};
}

async function signed(suiteName, {challenge, domain}) {
  if(suiteName === 'Ed25519Signature2020') {
    const key = await Ed25519VerificationKey2020.generate();
    const did = `did:key:${key.fingerprint()}`;
    key.id = `${did}#${key.fingerprint()}`;
    key.controller = did;
    const presentation = dccVc.createPresentation({holder: did, version: 1.0});
    const vp = await dccVc.signPresentation({presentation, challenge, domain, documentLoader,
      suite: new Ed25519Signature2020({key})});
    return {did, vp};
  }
  const pair = await Ed25519Multikey.generate();
  const did = `did:key:${pair.publicKeyMultibase}`;
  pair.id = `${did}#${pair.publicKeyMultibase}`;
  pair.controller = did;
  const presentation = dbVc.createPresentation({holder: did});
  const vp = await dbVc.signPresentation({presentation, challenge, domain, documentLoader,
    suite: new DataIntegrityProof({signer: pair.signer(), cryptosuite: eddsaRdfc2022})});
  return {did, vp};
}

await main(async request => {
  const mode = request.mode ?? 'ok';
  try {
    if(mode === 'legacy') {
      const {did, vp} = await signed(request.suite, {challenge: request.challenge});
      return {holder: did, ...(await post(request.url, vp))};
    }
    const started = await post(request.url, {});
    const vpr = started.body?.verifiablePresentationRequest;
    if(started.status !== 200 || !vpr) {
      return {stage: 'request', ...started};
    }
    const challenge = mode === 'wrong-challenge' ? `${vpr.challenge}x` : vpr.challenge;
    const domain = mode === 'wrong-domain' ? 'wallet-phisher.example' : vpr.domain;
    const {did, vp} = await signed(request.suite, {challenge, domain});
    if(mode === 'bad-signature') {
      const value = vp.proof.proofValue;
      vp.proof.proofValue = value.slice(0, 5) + (value[5] === 'A' ? 'B' : 'A') + value.slice(6);
    }
    const answer = await post(request.url, {verifiablePresentation: vp});
    const result = {holder: did, request: vpr, ...answer};
    if(mode === 'replay') {
      result.replay = await post(request.url, {verifiablePresentation: vp});
    }
    return result;
  } catch(error) {
    return {error: errorMessages(error).join('; ')};
  }
});
