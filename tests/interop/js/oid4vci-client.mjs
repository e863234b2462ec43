// A wallet driven by @openid4vc/openid4vci (the OpenWallet Foundation's
// oid4vc-ts client): the OpenID4VCI 1.0 pre-authorized code flow against a
// live issuer.
//
// Request (stdin): {offer: "openid-credential-offer://...", configuration: ID,
//   holder: "did:key" | "did:jwk" | "jwk", now: <issuer clock, epoch seconds>,
//   txCode?: "123456", mode?: "ok" | "reuse-code" | "wrong-nonce" | "bad-signature"}
// Answer: {ok: true, holder: DID-or-JWK, credential, tokenResponse, metadata}
//   or {ok: false, stage: "token" | "credential" | ..., status, body, messages}.
// "reuse-code" redeems the same pre-authorized code twice (the second must fail).
//
// Authorization code flow (§3.4), in two phases around the teacher's browser:
//   {phase: "authorize", issuer, configuration, redirectUri, clientId}
//     -> {ok, authorizationRequestUrl, codeVerifier, offer}: the client builds the
//        PKCE S256 authorization request from an offer with the authorization_code grant;
//   {phase: "code", offer, code, codeVerifier, redirectUri, clientId, configuration,
//    holder, now, mode?} -> the same answer as the pre-authorized flow, the access
//        token bought with the code (mode "reuse-code": the code a second time).
import {webcrypto} from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous, clientAuthenticationNone, setGlobalConfig}
  from '@openid4vc/oauth2';
import * as jose from 'jose';
import {errorMessages, readRequest} from './common.mjs';

setGlobalConfig({allowInsecureUrls: true});  // the issuer runs on http://127.0.0.1 in tests

const b64url = bytes => Buffer.from(bytes).toString('base64url');
const enc = obj => b64url(Buffer.from(JSON.stringify(obj)));

async function makeHolder(kind) {
  if(kind === 'did:key') {
    const pair = await Ed25519Multikey.generate();
    const did = `did:key:${pair.publicKeyMultibase}`;
    const {sign} = pair.signer();
    return {did, alg: 'EdDSA', signer: {method: 'did', didUrl: `${did}#${pair.publicKeyMultibase}`, alg: 'EdDSA'},
      sign: data => sign({data})};
  }
  const {publicKey, privateKey} = await jose.generateKeyPair('ES256', {extractable: true});
  const jwk = await jose.exportJWK(publicKey);
  const did = `did:jwk:${b64url(Buffer.from(JSON.stringify(jwk)))}`;
  const sign = async data => new Uint8Array(await webcrypto.subtle.sign(
    {name: 'ECDSA', hash: 'SHA-256'}, privateKey, data));
  const signer = kind === 'jwk' ? {method: 'jwk', publicJwk: jwk, alg: 'ES256'}
    : {method: 'did', didUrl: `${did}#0`, alg: 'ES256'};
  return {did, alg: 'ES256', signer, sign, jwk};
}

function callbacks(holder, mode, clientId) {
  return {
    fetch: globalThis.fetch,
    clientAuthentication: clientId ? clientAuthenticationNone({clientId})
      : clientAuthenticationAnonymous(),
    generateRandom: n => webcrypto.getRandomValues(new Uint8Array(n)),
    hash: async (data, alg) => new Uint8Array(await webcrypto.subtle.digest(
      alg.replace('sha-', 'SHA-'), data)),
    signJwt: async (_signer, {header, payload}) => {
      const input = `${enc(header)}.${enc(payload)}`;
      const signature = await holder.sign(new TextEncoder().encode(input));
      if(mode === 'bad-signature') {
        signature[0] ^= 0xff;
      }
      return {jwt: `${input}.${b64url(signature)}`, signerJwk: holder.jwk ?? {}};
    },
  };
}

async function answerOf(error, stage) {
  const response = error?.response?.response ?? error?.response;
  let body;
  try {
    body = error?.responseText ? JSON.parse(error.responseText)
      : (response?.clone ? await response.clone().json() : undefined);
  } catch {
    body = error?.responseText;
  }
  if(body === undefined && error?.errorResponse) {
    body = error.errorResponse;
  }
  return {ok: false, stage, status: response?.status, body, messages: errorMessages(error)};
}

async function authorize(request) {
  const client = new Openid4vciClient({callbacks: callbacks(undefined, 'ok', request.clientId)});
  try {
    const offerObject = {credential_issuer: request.issuer,
      credential_configuration_ids: [request.configuration], grants: {authorization_code: {}}};
    const link = `openid-credential-offer://?credential_offer=${
      encodeURIComponent(JSON.stringify(offerObject))}`;
    const offer = await client.resolveCredentialOffer(link);
    const metadata = await client.resolveIssuerMetadata(offer.credential_issuer);
    const made = await client.createAuthorizationRequestUrlFromOffer({
      clientId: request.clientId, credentialOffer: offer, issuerMetadata: metadata,
      redirectUri: request.redirectUri,
      scope: metadata.credentialIssuer.credential_configurations_supported[
        request.configuration].scope});
    return {ok: true, authorizationRequestUrl: made.authorizationRequestUrl,
      codeVerifier: made.pkce?.codeVerifier, offer: link};
  } catch(error) {
    return answerOf(error, 'authorize');
  }
}

async function run(request) {
  if(request.phase === 'authorize') {
    return authorize(request);
  }
  const mode = request.mode ?? 'ok';
  const holder = await makeHolder(request.holder ?? 'did:key');
  const client = new Openid4vciClient({callbacks: callbacks(holder, mode, request.clientId)});
  let stage = 'offer';
  try {
    const offer = await client.resolveCredentialOffer(request.offer);
    stage = 'metadata';
    const metadata = await client.resolveIssuerMetadata(offer.credential_issuer);
    stage = 'token';
    const getToken = () => request.phase === 'code'
      ? client.retrieveAuthorizationCodeAccessTokenFromOffer({
        credentialOffer: offer, issuerMetadata: metadata, authorizationCode: request.code,
        pkceCodeVerifier: request.codeVerifier, redirectUri: request.redirectUri})
      : client.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer: offer, issuerMetadata: metadata, txCode: request.txCode});
    const token = await getToken();
    if(mode === 'reuse-code') {
      stage = 'token-again';
      await getToken();
      return {ok: true, stage};
    }
    stage = 'nonce';
    const {c_nonce: nonce} = await client.requestNonce({issuerMetadata: metadata});
    stage = 'proof';
    const {jwt} = await client.createCredentialRequestJwtProof({
      issuerMetadata: metadata, credentialConfigurationId: request.configuration,
      signer: holder.signer, nonce: mode === 'wrong-nonce' ? `${nonce}x` : nonce,
      issuedAt: new Date((request.now ?? Date.now() / 1000) * 1000)});
    stage = 'credential';
    const answer = await client.retrieveCredentials({
      issuerMetadata: metadata, accessToken: token.accessTokenResponse.access_token,
      credentialConfigurationId: request.configuration, proofs: {jwt: [jwt]}});
    const credentials = answer.credentialResponse.credentials;
    return {ok: true, holder: holder.did, holderJwk: holder.jwk, credential: credentials[0].credential,
      count: credentials.length, tokenResponse: token.accessTokenResponse,
      version: metadata.originalDraftVersion};
  } catch(error) {
    return answerOf(error, stage);
  }
}

const request = readRequest();
const result = request.batch
  ? {results: await Promise.all(request.batch.map(item => run({...request, ...item, batch: undefined})))}
  : await run(request);
process.stdout.write(JSON.stringify(result));
