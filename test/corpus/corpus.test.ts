import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyRegistrationResponse, verifyAuthenticationResponse, MetadataService } from '@simplewebauthn/server';
import { hasCorpus, manifest, sample, corpusFile } from '../helpers/corpus.ts';
import { loadMetadataBlob, type MetadataBlob } from '../../conformance/src/mds/MetadataBlob.ts';
import { mergedMetadata, type MetadataProvider } from '../../conformance/src/mds/MetadataProvider.ts';
import { builtinAnchors } from '../../conformance/src/pki/TrustAnchors.ts';
import { inspectInput } from '../../conformance/src/attestation/inspectInput.ts';
import { HarnessError } from '../../conformance/src/errors/HarnessError.ts';

/**
 * Every real sample in ../shared/corpus: our verdict at its capture time equals the
 * manifest's expected.verified, negatives fail on the step the manifest's reason names, and
 * every disagreement with @simplewebauthn/server is pinned with its cause (README explains).
 */
const NEGATIVE_CODE: Record<string, string> = {
  // malformed authData (credentialIdLength read from inside a cut-short AAGUID): the key's defect, a failed verification naming the byte, not bad input
  'reg-none-firefox98-truncated-aaguid': 'AUTHDATA_STRUCTURE',
  'reg-none-tweag-conditional-create': 'FLAG_UP',
  'reg-safetynet-authress-ctsfalse': 'ATT_SAFETYNET_CTS_PROFILE',
  'auth-py-uv-required-not-verified': 'FLAG_UV',
  'auth-py-wrong-public-key': 'SIGNATURE',
};

/** Where @simplewebauthn/server 14 (with the same MDS statements) says no and we say yes. */
const SWA_DISAGREES: Record<string, RegExp> = {
  // SimpleWebAuthn replaces the Google hardware roots with the MDS statement's roots when the
  // AAGUID is listed; b93fd961… is listed for SafetyNet, so android-key chains no longer validate
  'reg-android-key-galaxy-s9plus': /could not be chained to any specified trust anchor \(Android Key\)/,
  'reg-android-key-pixel8a': /could not be chained to any specified trust anchor \(Android Key\)/,
  // SimpleWebAuthn refuses a credential algorithm the MDS statement does not list; we report
  // declared-vs-observed as a metadata finding, not a verification failure
  'reg-packed-yubico-mldsa44': /did not match any of the following metadata algorithms/,
  'reg-packed-yubico-mldsa65': /did not match any of the following metadata algorithms/,
  'reg-packed-yubico-mldsa87': /did not match any of the following metadata algorithms/,
  'reg-packed-yubico-seckey-nfc-rs256': /did not match any of the following metadata algorithms/,
  'reg-tpm-ecc-aseigler': /did not match any of the following metadata algorithms/,
  'reg-tpm-ecc-pubarea': /did not match any of the following metadata algorithms/,
  'reg-tpm-yubico-thinkpad': /did not match any of the following metadata algorithms/,
  // SimpleWebAuthn refuses RS1 in TPM statements; WebAuthn L3 §8.3 allows any COSE alg (we warn)
  'reg-tpm-lenovo-x1-vbs': /alg -65535 did not match/,
  'reg-tpm-nonspec-san': /alg -65535 did not match/,
  'reg-tpm-yubico-windowshello': /alg -65535 did not match/,
};

const ALL_ALGS = [-7, -8, -35, -36, -37, -48, -49, -50, -257, -258, -259];

describe.skipIf(!hasCorpus)('real responses from ../shared/corpus', () => {
  let mds: MetadataProvider;
  let blobs: MetadataBlob[];
  beforeAll(() => {
    blobs = ['no23', 'no25', 'no121'].map((n) => loadMetadataBlob(corpusFile(`mds/fido-mds3-prod-${n}.jwt`), builtinAnchors('mds')));
    mds = mergedMetadata(blobs);
  });
  afterEach(() => vi.useRealTimers());

  const samples = manifest();
  it('the corpus has the samples this suite was written for', () => {
    expect(samples.length).toBeGreaterThanOrEqual(61);
  });

  for (const m of samples) {
    it(`${m.id}: ${m.expected.verified ? 'verifies' : `fails on ${NEGATIVE_CODE[m.id]}`} at its capture time`, () => {
      let verified: boolean;
      let failing: string[];
      try {
        const r = inspectInput(sample(m.id), { mds });
        verified = r.verified;
        failing = r.findings.filter((f) => f.status === 'fail').map((f) => f.code);
        if (m.kind === 'registration' && verified) expect(r.findings.some((f) => f.code.startsWith('ATT_') && f.status === 'pass')).toBe(true);
      } catch (e) {
        if (!(e instanceof HarnessError)) throw e;
        verified = false;
        failing = [e.code];
      }
      expect(verified, failing.join(', ')).toBe(m.expected.verified);
      if (!m.expected.verified) expect(failing).toContain(NEGATIVE_CODE[m.id]);
    });
  }

  it('agrees with @simplewebauthn/server on every sample except the pinned, explained ones', async () => {
    await MetadataService.initialize({ mdsServers: [], statements: mds.entries().filter((e) => e.aaguid).map((e) => e.metadataStatement) as never, verificationMode: 'permissive' });
    const disagreements: string[] = [];
    for (const m of samples) {
      const s = sample(m.id);
      vi.useFakeTimers({ toFake: ['Date'], now: s.captureTime?.time ? new Date(s.captureTime.time) : new Date() });
      let theirs = false;
      let why = '';
      const ctx = { response: s.response, expectedChallenge: s.expectedChallenge, expectedOrigin: s.expectedOrigin, expectedRPID: s.expectedRPID, requireUserVerification: s.requireUserVerification };
      try {
        theirs = m.kind === 'registration'
          ? (await verifyRegistrationResponse({ ...ctx, supportedAlgorithmIDs: ALL_ALGS })).verified
          : (await verifyAuthenticationResponse({ ...ctx, credential: { id: s.response.id, publicKey: new Uint8Array(Buffer.from(s.credentialPublicKey, 'base64url')), counter: s.counter ?? 0 } })).verified;
      } catch (e) {
        why = (e as Error).message;
      }
      vi.useRealTimers();
      if (theirs !== m.expected.verified) {
        disagreements.push(m.id);
        expect(SWA_DISAGREES[m.id], `${m.id}: unpinned disagreement: ${why}`).toBeDefined();
        expect(why).toMatch(SWA_DISAGREES[m.id]!);
      }
    }
    expect(disagreements.sort()).toEqual(Object.keys(SWA_DISAGREES).sort());
  });
});
