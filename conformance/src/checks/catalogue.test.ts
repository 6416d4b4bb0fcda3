import { beforeAll, describe, expect, it } from 'vitest';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { compliantEntry } from '../mds/TestMdsSigner.ts';
import { runFaultCase, FAULT_AAGUID, FAULT_CASES, type Scenario } from '../run/faultMatrix.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import { runWithSoftAuthenticator } from '../run/runWithSoftAuthenticator.ts';
import { evaluateRun, type RunReport } from './evaluateRun.ts';
import { CHECKS } from './registry.ts';
import type { CheckId } from './checkIds.ts';
import type { RunEvidence } from './RunEvidence.ts';
import { renderJunit } from '../report/renderJunit.ts';
import { renderMarkdown } from '../report/renderMarkdown.ts';
import { decodeCbor } from '../cbor/decodeCbor.ts';
import { encodeCbor } from '../cbor/encodeCbor.ts';

/**
 * Every check has a run where it passes (the compliant software key with its MDS entry) and
 * a run where it fails (one defect or metadata mistake at a time).
 */
const AAGUID = '5eed5eed-0000-4000-8000-00000000c0de';
const RP = { rpId: 'vendor.example', origin: 'https://vendor.example' };
const NOW = new Date(Date.UTC(2030, 0, 1));
let ca: AttestationCa;

beforeAll(async () => {
  ca = await AttestationCa.create();
});

const report = (s: Scenario = {}): Promise<RunReport> => runFaultCase(ca, s);

const status = (r: RunReport, id: string) => r.outcomes.find((o) => o.id === id)?.status;
const getInfo = (e: MetadataEntry) => e.metadataStatement!.authenticatorGetInfo as { versions: string[]; extensions: string[]; options: Record<string, boolean>; transports: string[] };

describe('conformance catalogue', () => {
  it('the compliant software key passes every check that applies; the report predicts its table row', async () => {
    const r = await report();
    // a key with built-in UV cannot show the PIN-only rule either way; the features it lacks
    // (fingerprints, large blobs, …) are not applicable, and the reset is not run (no --allow-reset)
    expect(r.outcomes.filter((o) => o.status === 'fail' || (o.status === 'skip' && !o.notApplicable && !o.notRun)).map((o) => `${o.id}: ${o.status}`)).toEqual(['HYG_UV_ONLY_WHEN_VERIFIED: skip']);
    expect(r.outcomes.filter((o) => o.notRun).map((o) => `${o.id}: ${o.notRun}`)).toEqual(['CTAP_RESET: --allow-reset']);
    expect(r.verdict).toBe('pass');
    expect(r.predictedRow).toEqual({ description: 'Fault Matrix Key', aaguid: FAULT_AAGUID, bio: true, usb: true, nfc: true, ble: false, eligible: true });
    expect(r.toFix).toEqual([]);
    expect(r.outcomes.map((o) => o.id)).toEqual(CHECKS.map((c) => c.id));
  });

  it('every catalogue entry carries its source, severity, evidence needs and fix', () => {
    const ids = new Set<string>();
    for (const c of CHECKS) {
      expect(c.id).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect(ids.has(c.id)).toBe(false);
      ids.add(c.id);
      for (const f of [c.title, c.source, c.needs, c.fix]) expect(f.length).toBeGreaterThan(10);
      expect(['required', 'recommended', 'info']).toContain(c.severity);
    }
  });

  const customFormat = (run: RunEvidence) => {
    for (const c of run.ceremonies.filter((x) => x.kind === 'registration' && x.response)) {
      const att = decodeCbor(new Uint8Array(Buffer.from(c.response!.response.attestationObject, 'base64url')), 't').value as Map<string, unknown>;
      c.response!.response.attestationObject = Buffer.from(encodeCbor(new Map<string, unknown>([['fmt', 'x'.repeat(40)], ['attStmt', new Map()], ['authData', att.get('authData')]]))).toString('base64url');
    }
  };

  const failing: [CheckId, Scenario][] = [
    ['ATT_PACKED_FORMAT', { attestation: 'packed-self' }],
    ['ATT_PACKED_CHAIN_TO_MDS_ROOT', { otherRoot: true }],
    ['ATT_AAGUID_MATCHES_CERT_AND_MDS', { leaf: { aaguidInCert: '00112233-4455-6677-8899-aabbccddeeff' } }],
    ['MDS_FIDO_CERTIFIED', { entry: (e) => (e.statusReports = [{ status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2024-01-01' }]) }],
    ['MDS_NO_COMPROMISE', { entry: (e) => e.statusReports!.push({ status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2029-01-01' }) }],
    ['MDS_DECLARES_FIDO_2_0', { entry: (e) => (getInfo(e).versions = ['U2F_V2']) }],
    ['MDS_DECLARES_UV_OR_CLIENT_PIN', { entry: (e) => (getInfo(e).options = { rk: true, up: true }) }],
    ['MDS_DECLARES_RK', { entry: (e) => (getInfo(e).options.rk = false) }],
    ['MDS_DECLARES_HMAC_SECRET_OR_PRF', { entry: (e) => (getInfo(e).extensions = ['credProtect']) }],
    ['ATT_FORMAT_ACCEPTED_UNENFORCED', { rewrite: customFormat }],
    ['RK_DISCOVERABLE_SIGN_IN', { features: { rk: false } }],
    ['UV_FLAG_WHEN_REQUIRED', { features: { uv: false }, run: { setPin: false } }],
    ['EXT_HMAC_SECRET_OR_PRF', { features: { hmacSecret: false } }],
    ['RK_MULTIPLE_ACCOUNTS_PER_RP', { faults: { singleResidentSlot: true } }],
    ['DECL_RK', { entry: (e) => (getInfo(e).options.rk = false) }],
    ['DECL_UV_OR_CLIENT_PIN', { entry: (e) => (getInfo(e).options = { rk: true, up: true }) }],
    ['DECL_EXTENSIONS', { entry: (e) => (getInfo(e).extensions = ['hmac-secret']) }],
    ['DECL_ALGORITHM', { entry: (e) => (e.metadataStatement!.authenticationAlgorithms = ['ed25519_eddsa_sha512_raw']) }],
    ['DECL_MULTI_DEVICE', { entry: (e) => (e.metadataStatement!.multiDeviceCredentialSupport = 'implicit') }],
    ['DECL_TRANSPORTS', { features: { transports: ['usb', 'ble'] }, entry: (e) => (getInfo(e).transports = ['usb', 'nfc']) }],
    ['WEBAUTHN_RP_VERIFICATION', { faults: { wrongRpIdHash: true } }],
    ['HYG_UV_ONLY_WHEN_VERIFIED', { features: { uv: false, clientPin: { pin: '1234' } }, faults: { uvWithoutVerification: true }, entry: (e) => (getInfo(e).options = { rk: true, up: true, clientPin: true }) }],
    ['HYG_CANONICAL_CBOR', { faults: { nonCanonicalCbor: true } }],
    ['HYG_NO_TRAILING_BYTES', { faults: { trailingCbor: true } }],
    ['HYG_SIGN_COUNT', { faults: { counterStuck: true } }],
    ['HYG_UP_ALWAYS', { faults: { noUP: true } }],
    ['HYG_BE_BS', { faults: { bsWithoutBe: true } }],
    ['HYG_CREDENTIAL_ID_LENGTH', { faults: { shortCredentialId: true } }],
    ['HYG_ATT_CERT_VALIDITY', { leaf: { notAfter: new Date(Date.UTC(2029, 0, 1)) } }],
    ['HYG_CREDPROTECT', { features: { credProtect: false } }],
    ['CTAP_GETINFO_WELL_FORMED', { faults: { getInfoAaguidMismatch: true } }],
    ['CTAP_GETINFO_MATCHES_METADATA', { entry: (e) => (getInfo(e).transports = ['usb', 'ble']) }],
    ['CTAP_EXTENSIONS_ANSWER', { faults: { getInfoDeclaresMissingExtension: true } }],
    ['CTAP_PIN_UV_AUTH_PROTOCOLS', { faults: { pinProtocol2Broken: true } }],
    ['CTAP_PIN_RETRIES', { features: { clientPin: { pin: '1234' } }, faults: { pinRetriesNotDecremented: true } }],
    ['CTAP_HMAC_SECRET', { faults: { hmacIgnoresSecondSalt: true } }],
    ['CTAP_CREDENTIAL_MANAGEMENT', { faults: { credMgmtMissesAccounts: true } }],
    ['CTAP_CRED_PROTECT_ENFORCED', { faults: { credProtectNotEnforced: true } }],
    ['CTAP_EXCLUDE_LIST', { rewrite: (run) => (run.ctap!.probes.excludeList = { status: 'OK' }) }],
    ['CTAP_U2F_INTEROP', { faults: { u2fBogusRegisterSignature: true } }],
    ['CTAP_ERROR_CODES', { faults: { wrongMissingParameterStatus: true } }],
    ['CTAP_HID_CHANNELS', { faults: { channelBusyIgnored: true } }],
    ['CTAP_HID_CANCEL', { faults: { cancelIgnored: true } }],
    ['CTAP_USER_PRESENCE', { faults: { noKeepalive: true } }],
  ];
  it('the failing list and the fault matrix together cover the whole catalogue', () => {
    const covered = new Set([...failing.map(([id]) => id), ...FAULT_CASES.flatMap((c) => c.expect)]);
    expect(CHECKS.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });
  for (const [id, scenario] of failing) {
    it(`${id} fails when its defect is present`, async () => {
      const r = await report(scenario);
      const o = r.outcomes.find((x) => x.id === id)!;
      expect(o.status, `${o.message}`).toBe('fail');
      expect(o.expected).toBeDefined();
      expect(o.actual).toBeDefined();
      if (o.severity === 'required') expect(r.verdict).toBe('fail');
      expect(r.toFix.map((f) => f.id)).toContain(id);
    });
  }

  it('a key with a PIN: the wrong-PIN probe runs with the given PIN and passes; the key ends with its retries', async () => {
    const r = await report({ features: { clientPin: { pin: '1234' } } });
    const o = r.outcomes.find((x) => x.id === 'CTAP_PIN_RETRIES')!;
    expect(o.status, o.message).toBe('pass');
    expect(o.message).toMatch(/retries 8 -> 7 -> 8/);
    expect(r.keyChanges?.pinRetries).toEqual({ before: 8, after: 8 });
    expect(r.keyChanges?.left).toEqual([]);
  });

  it('a CTAP 2.0 key (no credential management, PIN protocol 1 only) gets fails and skips, not crashes', async () => {
    const r = await report({ features: { ctap: '2.0', uv: false, clientPin: { pin: '1234' } } });
    const by = (id: CheckId) => r.outcomes.find((x) => x.id === id)!;
    expect(by('CTAP_CREDENTIAL_MANAGEMENT')).toMatchObject({ status: 'skip', notApplicable: true });
    expect(by('CTAP_PIN_UV_AUTH_PROTOCOLS')).toMatchObject({ status: 'pass', message: expect.stringMatching(/^protocol 1: tokens \(by PIN\)/) });
    expect(by('CTAP_PIN_RETRIES').status).toBe('pass');
    expect(r.outcomes.filter((o) => o.message.includes('the check itself failed'))).toEqual([]);
    // nothing can delete the discoverable credentials without credential management: the report says they are left
    expect(r.keyChanges?.left.length).toBeGreaterThan(0);
    expect(r.keyChanges?.left[0]!.reason).toMatch(/no credential management/);
  });

  it('without an MDS entry every Entra metadata check fails and says so', async () => {
    const r = await report({ noEntry: true });
    for (const id of ['MDS_FIDO_CERTIFIED', 'MDS_NO_COMPROMISE', 'MDS_DECLARES_RK', 'ATT_PACKED_CHAIN_TO_MDS_ROOT', 'ATT_AAGUID_MATCHES_CERT_AND_MDS']) expect(status(r, id), id).toBe('fail');
    expect(r.predictedRow).toBeUndefined();
    expect(status(r, 'DECL_RK')).toBe('skip');
  });

  it('a stored run re-evaluates to the same report (checks are pure functions of the evidence)', async () => {
    const leaf = await ca.issueLeaf({ aaguid: AAGUID });
    const key = new SoftAuthenticator({ aaguid: Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der], features: { hmacSecret: true, credProtect: true } });
    const run = await runWithSoftAuthenticator(key, { ...RP, label: 'k', mds: { no: 1, nextUpdate: '2031-01-01', entry: compliantEntry(AAGUID, ca.rootPem) }, now: () => NOW });
    const stored = JSON.parse(JSON.stringify(run));
    expect(evaluateRun(stored, { at: NOW })).toEqual(evaluateRun(run, { at: NOW }));
  });

  it('JUnit has one testcase per check and escapes what came from the key; Markdown carries the row and the fixes', async () => {
    const r = await report({ faults: { noUP: true }, entry: (e) => (e.metadataStatement!.description = 'Evil <script>alert(1)</script> & "key"') });
    const junit = renderJunit(r);
    expect(junit.match(/<testcase /g)).toHaveLength(CHECKS.length);
    expect(junit).toContain('<failure type="required"');
    expect(junit).not.toContain('<script>');
    const md = renderMarkdown(r);
    expect(md).toContain('**Verdict: FAIL**');
    expect(md).toContain('| Evil &lt;script&gt;alert(1)&lt;/script&gt; & "key" |');
    expect(md).toMatch(/- \*\*HYG_UP_ALWAYS\*\* \(required\)/);
  });
});
