/**
 * npm run fixtures: writes a synthetic MDS set to fixtures/mds/ for trying the mds commands
 * by hand (tests build their own in memory): a test MDS root and BLOBs that are valid,
 * revoked, stale, badly signed and with a broken chain; and fixtures/responses/, a packed
 * registration and an assertion of a key listed there, to try inspect. Keys are fresh on every run.
 *
 *   npm run -s cli -- mds eligible --why --blob fixtures/mds/valid.jwt --root fixtures/mds/root.pem
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import { AttestationCa } from '../conformance/src/emulation/AttestationCa.ts';

const out = path.resolve('fixtures/mds');
fs.mkdirSync(out, { recursive: true });
const signer = await TestMdsSigner.create();
const good = compliantEntry('f1d0c0de-0000-4000-8000-000000000001', signer.rootPem, 'fido2-harness Synthetic Key');
const revoked = compliantEntry('f1d0c0de-0000-4000-8000-000000000002', signer.rootPem, 'fido2-harness Revoked Key');
revoked.statusReports!.push({ status: 'REVOKED', effectiveDate: '2025-06-01' });
// a key of ours whose packed attestation chains to the root its entry lists: fixtures/responses/
const attCa = await AttestationCa.create('CN=fido2-harness Synthetic Attestation Root, O=fido2-harness, C=US');
const packedAaguid = 'f1d0c0de-0000-4000-8000-000000000003';
const packed = compliantEntry(packedAaguid, attCa.rootPem, 'fido2-harness Synthetic Packed Key');
const entries = [good, revoked, packed];
const blobs: Record<string, Parameters<TestMdsSigner['blob']>[0]> = {
  valid: { no: 2, nextUpdate: '2099-01-01', entries },
  stale: { no: 1, nextUpdate: '2025-01-01', entries },
  'bad-signature': { no: 2, nextUpdate: '2099-01-01', entries, badSignature: true },
  'broken-chain': { no: 2, nextUpdate: '2099-01-01', entries, brokenChain: true },
};
fs.writeFileSync(path.join(out, 'root.pem'), signer.rootPem);
for (const [name, o] of Object.entries(blobs)) fs.writeFileSync(path.join(out, `${name}.jwt`), await signer.blob(o));
fs.writeFileSync(path.join(out, 'statement.json'), JSON.stringify(good.metadataStatement, null, 2));
console.log(`wrote ${out}: root.pem, ${Object.keys(blobs).map((b) => `${b}.jwt`).join(', ')}, statement.json`);

// a registration and an assertion to try inspect on, wrapped with their context as inspect reads them
{
  const { SoftAuthenticator } = await import('../conformance/src/emulation/SoftAuthenticator.ts');
  const { parseRegistrationResponse } = await import('../conformance/src/webauthn/parseResponse.ts');
  const leaf = await attCa.issueLeaf({ aaguid: packedAaguid, subject: 'C=US, O=fido2-harness, OU=Authenticator Attestation, CN=fido2-harness Synthetic Packed Key' });
  const key = new SoftAuthenticator({ aaguid: Buffer.from(packedAaguid.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der] });
  const origin = 'https://rp.example';
  const context = (challenge: string) => ({ expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: 'rp.example', captureTime: new Date().toISOString() });
  const regChallenge = crypto.randomBytes(32).toString('base64url');
  const reg = await key.create({ challenge: regChallenge, attestation: 'direct', rp: { id: 'rp.example', name: 'Example RP' }, user: { id: 'dXNlci0x', name: 'alice' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }] }, origin);
  const authChallenge = crypto.randomBytes(32).toString('base64url');
  const auth = await key.get({ challenge: authChallenge, rpId: 'rp.example', allowCredentials: [{ type: 'public-key', id: reg.id }] }, origin);
  const publicKey = Buffer.from(parseRegistrationResponse(reg).authData.attestedCredentialData!.publicKeyBytes).toString('base64url');
  const dir = path.resolve('fixtures/responses');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'packed-registration.json'), JSON.stringify({ response: reg, ...context(regChallenge), expectedAlgorithms: [-7] }, null, 2));
  fs.writeFileSync(path.join(dir, 'assertion.json'), JSON.stringify({ response: auth, ...context(authChallenge), credentialPublicKey: publicKey, counter: 0 }, null, 2));
  console.log(`wrote ${dir}: packed-registration.json, assertion.json (inspect them with --mds fixtures/mds/valid.jwt --mds-root fixtures/mds/root.pem)`);
}

// a vendor's own attestation material, as fixtures/example-vendor-profile.json expects it: a
// test CA of ours, generated once and committed (the package ships it); --vendor makes a new one
const vendorDir = path.resolve('fixtures/vendor-example');
if (fs.existsSync(path.join(vendorDir, 'attestation-cert.pem')) && !process.argv.includes('--vendor')) {
  console.log(`kept ${vendorDir} (npm run fixtures -- --vendor generates a new set)`);
  process.exit(0);
}
fs.mkdirSync(vendorDir, { recursive: true });
const vendorCa = await AttestationCa.create('CN=Example Vendor FIDO Root CA, O=Example Vendor, C=SE');
const vendorLeaf = await vendorCa.issueLeaf({ aaguid: 'e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5d', subject: 'C=SE, O=Example Vendor, OU=Authenticator Attestation, CN=Example Vendor Key Batch 1' });
fs.writeFileSync(path.join(vendorDir, 'attestation-cert.pem'), new crypto.X509Certificate(vendorLeaf.der).toString());
fs.writeFileSync(path.join(vendorDir, 'attestation-key.pem'), vendorLeaf.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
fs.writeFileSync(path.join(vendorDir, 'root.pem'), vendorCa.rootPem);
console.log(`wrote ${vendorDir}: attestation-cert.pem, attestation-key.pem, root.pem (for fixtures/example-vendor-profile.json)`);
