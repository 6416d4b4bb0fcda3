import { beforeAll, describe, expect, it } from 'vitest';
import { lintStatement } from './lintStatement.ts';
import { entraEligibility } from './entraEligibility.ts';
import { interpretStatus } from './interpretStatus.ts';
import { TestMdsSigner, compliantEntry } from './TestMdsSigner.ts';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import type { MetadataEntry } from './MetadataBlob.ts';

const AAGUID = '3e0f8a6b-8c9d-4e2f-9a1b-2c3d4e5f6a7b';
let good: MetadataEntry;
let leafB64: string;
beforeAll(async () => {
  const s = await TestMdsSigner.create();
  good = compliantEntry(AAGUID, s.rootPem);
  const ca = await AttestationCa.create();
  leafB64 = Buffer.from((await ca.issueLeaf({ aaguid: AAGUID })).der).toString('base64');
});

const AT = new Date(Date.UTC(2026, 0, 1));
const clone = () => structuredClone(good.metadataStatement!) as Record<string, any>;
const codes = (ms: unknown) => lintStatement(ms, AT).map((f) => f.code).sort();

describe('mds lint', () => {
  it('a compliant statement has no findings', () => {
    expect(lintStatement(good.metadataStatement, AT)).toEqual([]);
  });

  const cases: [string, (ms: Record<string, any>) => void, string[]][] = [
    ['missing rk', (ms) => delete ms.authenticatorGetInfo.options.rk, ['ENTRA_RESIDENT_KEY']],
    ['rk false', (ms) => (ms.authenticatorGetInfo.options.rk = false), ['ENTRA_RESIDENT_KEY']],
    ['missing uv and clientPin', (ms) => { delete ms.authenticatorGetInfo.options.uv; delete ms.authenticatorGetInfo.options.clientPin; }, ['ENTRA_UV_OR_CLIENT_PIN']],
    ['missing hmac-secret', (ms) => (ms.authenticatorGetInfo.extensions = ['credProtect']), ['ENTRA_HMAC_SECRET_OR_PRF']],
    ['versions below FIDO_2_0', (ms) => (ms.authenticatorGetInfo.versions = ['U2F_V2']), ['ENTRA_FIDO_2_0_OR_HIGHER']],
    ['attestationTypes without basic_full', (ms) => (ms.attestationTypes = ['attca']), ['ENTRA_ATTESTATION_BASIC_FULL']],
    ['empty attestationRootCertificates', (ms) => (ms.attestationRootCertificates = []), ['ENTRA_ATTESTATION_ROOTS']],
    ['a root that is not a CA', (ms) => (ms.attestationRootCertificates = [leafB64]), ['LINT_ROOT_NOT_CA']],
    ['a root that is not a certificate', (ms) => (ms.attestationRootCertificates = ['AAAA']), ['LINT_ROOT_PARSE']],
    ['AAGUID in the wrong format', (ms) => (ms.aaguid = '3E0F8A6B8C9D4E2F9A1B2C3D4E5F6A7B'), ['LINT_AAGUID_FORMAT']],
    ['getInfo AAGUID of another model', (ms) => (ms.authenticatorGetInfo.aaguid = '00'.repeat(16)), ['LINT_GETINFO_AAGUID']],
    ['schema: missing description', (ms) => delete ms.description, ['LINT_SCHEMA']],
    ['schema: schema version 2', (ms) => (ms.schema = 2), ['LINT_SCHEMA']],
    ['schema: unknown key protection', (ms) => (ms.keyProtection = ['magic']), ['LINT_SCHEMA']],
    // MDS 3.1 members: their types are checked like the 3.0 ones
    ['3.1: multiDeviceCredentialSupport not one of its values', (ms) => (ms.multiDeviceCredentialSupport = 'sometimes'), ['LINT_SCHEMA']],
    ['3.1: friendlyNames not a map', (ms) => (ms.friendlyNames = ['Key']), ['LINT_SCHEMA']],
    ['3.1: friendlyNames keyed by something other than a language tag', (ms) => (ms.friendlyNames = { 'en-US': 'Key', 'English please': 'Key' }), ['LINT_FRIENDLY_NAMES']],
    ['3.1: iconDark not a data: URL', (ms) => (ms.iconDark = 'https://example.com/icon.png'), ['LINT_SCHEMA']],
    ['3.1: cxConfigURL not https', (ms) => (ms.cxConfigURL = 'http://example.com/cx'), ['LINT_SCHEMA']],
    ['3.1.1: cxpConfigURL renamed', (ms) => (ms.cxpConfigURL = 'https://example.com/cx'), ['LINT_REMOVED_MEMBER']],
    ['3.1: implicit multi-device on a hardware-bound external key', (ms) => Object.assign(ms, { multiDeviceCredentialSupport: 'implicit', keyProtection: ['hardware', 'secure_element'], attachmentHint: ['external', 'wired'] }), ['LINT_MULTI_DEVICE']],
  ];
  for (const [name, mutate, expected] of cases) {
    it(`${name} -> ${expected.join(', ')}`, () => {
      const ms = clone();
      mutate(ms);
      expect(codes(ms)).toEqual(expected);
      for (const f of lintStatement(ms, AT)) expect(f.fix.length).toBeGreaterThan(20);
    });
  }

  it('a statement carrying every MDS 3.1 member (friendlyNames, iconDark, providerLogoLight/Dark, multiDeviceCredentialSupport, cxConfigURL) lints clean', () => {
    const ms = clone();
    Object.assign(ms, { friendlyNames: { 'en-US': 'Example Key', 'de-DE': 'Beispielschlüssel' }, iconDark: 'data:image/png;base64,iVBORw0KGgo=', providerLogoLight: 'data:image/png;base64,iVBORw0KGgo=', providerLogoDark: 'data:image/png;base64,iVBORw0KGgo=', multiDeviceCredentialSupport: 'unsupported', cxConfigURL: 'https://vendor.example/cx' });
    expect(lintStatement(ms, AT)).toEqual([]);
  });

  it('status reports of a whole entry against MDS 3.1 §3.1.3: the 3.1 members accepted, wrong types and unknown members named, a past sunset a warning', () => {
    const ms = clone();
    const ok = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2025-06-01', certificationProfiles: ['ctap2.3-full'], sunsetDate: '2030-06-01', fipsRevision: 3, fipsPhysicalSecurityLevel: 2, certificationDescriptor: 'Key', certificateNumber: 'FIDO2000', certificationPolicyVersion: '1.4', certificationRequirementsVersion: '1.5' }];
    expect(lintStatement(ms, AT, ok)).toEqual([]);
    const bad = lintStatement(ms, AT, [{ status: 'FIDO_CERTIFIED', certificationProfiles: 'ctap2.3-full' }, { status: 'FIDO_CERTIFIED', sunsetdate: '2020-01-01' }, { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01', sunsetDate: '2025-01-01' }]);
    expect(bad.map((f) => [f.code, f.status])).toEqual([['LINT_STATUS_REPORT', 'fail'], ['LINT_STATUS_REPORT', 'fail'], ['LINT_SUNSET', 'warn']]);
    expect(bad[1]!.message).toMatch(/"sunsetdate" that MDS 3\.1 does not define: did you mean "sunsetDate"\?/);
  });

  it('uv or clientPin declared false (supported, not yet set up, CTAP 2.1 §6.4) still counts as user verification', () => {
    for (const options of [{ rk: true, uv: false }, { rk: true, clientPin: false }]) {
      const ms = clone();
      ms.authenticatorGetInfo.options = options;
      expect(codes(ms)).toEqual([]);
    }
  });

  it('a misspelt member is named with the one meant; an Entra finding says what is required and what is there', () => {
    const ms = structuredClone(good.metadataStatement) as Record<string, unknown>;
    ms.attestationRootCertificate = ms.attestationRootCertificates;
    delete ms.attestationRootCertificates;
    const f = lintStatement(ms, AT);
    expect(f.find((x) => x.code === 'LINT_UNKNOWN_MEMBER')).toMatchObject({ message: expect.stringMatching(/"attestationRootCertificate" that Metadata Statement 3\.1 does not define: did you mean "attestationRootCertificates"\?/), fix: 'rename it to "attestationRootCertificates"' });
    expect(f.find((x) => x.code === 'ENTRA_ATTESTATION_ROOTS')?.message).toBe('Entra requires that attestationRootCertificates is not empty; here attestationRootCertificates is empty');
  });

  it('not an object at all', () => {
    expect(codes([1, 2])).toEqual(['LINT_SCHEMA']);
  });
});

describe('status reports and Entra eligibility', () => {
  const entry = (reports: MetadataEntry['statusReports']): MetadataEntry => ({ ...good, statusReports: reports });

  it('the latest status decides, as of the time asked', () => {
    const e = entry([
      { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2021-01-01' },
      { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2022-01-01' },
      { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2023-06-01' },
    ]);
    expect(interpretStatus(e, new Date('2021-06-01'))).toMatchObject({ certified: true, level: 'FIDO_CERTIFIED_L1' });
    expect(interpretStatus(e, new Date('2022-06-01'))).toMatchObject({ certified: true, level: 'FIDO_CERTIFIED_L2' });
    expect(interpretStatus(e, new Date('2024-01-01'))).toMatchObject({ certified: false, compromised: { status: 'ATTESTATION_KEY_COMPROMISE' } });
    expect(interpretStatus(entry([{ status: 'REVOKED', effectiveDate: '2021-01-01' }, { status: 'FIDO_CERTIFIED', effectiveDate: '2022-01-01' }]), AT).certified).toBe(true);
    expect(interpretStatus(entry([{ status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2022-01-01' }]), AT).certified).toBe(false);
  });

  it('each criterion, broken alone, is the one named', () => {
    expect(entraEligibility(good, AT)).toMatchObject({ eligible: true, failed: [], row: { description: 'fido2-harness Test Key', aaguid: AAGUID, bio: true, usb: true, nfc: true, ble: false } });
    expect(entraEligibility(entry([{ status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2020-01-01' }]), AT).failed.map((f) => f.criterion)).toEqual(['FIDO_CERTIFIED']);
    expect(entraEligibility(entry([{ status: 'FIDO_CERTIFIED', effectiveDate: '2020-01-01' }, { status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2021-01-01' }]), AT).failed.map((f) => f.criterion)).toEqual(['NOT_COMPROMISED']);
    expect(entraEligibility({ attestationCertificateKeyIdentifiers: ['ab'.repeat(20)], metadataStatement: good.metadataStatement, statusReports: good.statusReports }, AT).failed.map((f) => f.criterion)).toEqual(['FIDO2_AAGUID']);
  });
});
