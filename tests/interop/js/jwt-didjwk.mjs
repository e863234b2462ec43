// A did:jwk issuer made entirely by panva/jose: a fresh key pair, its did:jwk
// (did:jwk spec §2.1: base64url of the public JWK's JSON), and a VCDM 2.0
// VC-JWT of the given credential whose issuer is that DID, kid "<did>#0".
// stdin:  {credential, alg: "ES256" | "EdDSA"}   (or {batch: [...]})
// stdout: {jwt, did} | {error}
import * as jose from 'jose';
import {errorMessages, main} from './common.mjs';

await main(async ({credential, alg}) => {
  try {
    const {publicKey, privateKey} = await jose.generateKeyPair(
      alg, alg === 'EdDSA' ? {crv: 'Ed25519'} : {});
    const jwk = await jose.exportJWK(publicKey);
    const did = `did:jwk:${jose.base64url.encode(JSON.stringify(jwk))}`;
    const vc = {...credential, issuer: {...credential.issuer, id: did}};
    const nbf = Math.floor(Date.parse(vc.validFrom) / 1000);
    const jwt = await new jose.SignJWT({...vc, iss: did, jti: vc.id, nbf})
      .setProtectedHeader({alg, kid: `${did}#0`, typ: 'JWT'})
      .sign(privateKey);
    return {jwt, did};
  } catch(e) {
    return {error: errorMessages(e).join('; ')};
  }
});
