import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttestationCa } from '../conformance/src/emulation/AttestationCa.ts';
import { CHECKS } from '../conformance/src/checks/registry.ts';

const BIN = path.resolve('bin/fido2-harness.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'check', ...args], { encoding: 'utf8', timeout: 60_000 });
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-check-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('fido2-harness check --emulate', { timeout: 120_000 }, () => {
  it('the example compliant profile passes every check (exit 0); the faulty one fails (exit 1)', () => {
    const ok = run(['--emulate', 'fixtures/example-compliant-profile.json', '--format', 'json']);
    expect(ok.status, ok.stderr).toBe(0);
    const r = JSON.parse(ok.stdout);
    // skipped: what the full-feature key does not have (the largeBlob extension: it uses the command),
    // the reset and enterprise attestation (no --allow-reset), one recommended PIN-only rule, and
    // the NFC transport (the emulated key is reached over CTAPHID: check --ctap --device pcsc: judges NFC,
    // and with --other-interface its USB side too)
    const nfc = ['NFC_CHAINING', 'NFC_EXTENDED_APDU', 'NFC_GET_RESPONSE', 'NFC_SELECT', 'NFC_TRANSPORTS', 'NFC_USB_SAME_CREDENTIAL'];
    expect(r.outcomes.filter((o: { status: string }) => o.status === 'skip').map((o: { id: string }) => o.id).sort()).toEqual(['CTAP_ENTERPRISE_ATTESTATION', 'CTAP_LARGE_BLOB_EXTENSION', 'CTAP_RESET', 'HYG_UV_ONLY_WHEN_VERIFIED', ...nfc]);
    expect(r).toMatchObject({ schemaVersion: 1, verdict: 'pass', counts: { pass: CHECKS.length - 10, fail: 0, skip: 10 }, predictedRow: { aaguid: 'e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5b', usb: true, nfc: true, eligible: true } });
    const bad = run(['--emulate', 'fixtures/example-faulty-profile.json', '--format', 'json']);
    expect(bad.status).toBe(1);
    const b = JSON.parse(bad.stdout);
    expect(b.toFix.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining(['MDS_DECLARES_RK', 'RK_DISCOVERABLE_SIGN_IN', 'EXT_HMAC_SECRET_OR_PRF']));
  });

  it('the example vendor profile (own attestation files, every extension) passes', () => {
    const gen = spawnSync(process.execPath, ['scripts/fixtures.ts'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const r = run(['--emulate', 'fixtures/example-vendor-profile.json', '--format', 'json']);
    expect(r.status, r.stdout.slice(0, 3000)).toBe(0);
    expect(JSON.parse(r.stdout).counts.fail).toBe(0);
  });

  it('JUnit and Markdown, to a file', () => {
    const out = path.join(dir, 'report.xml');
    const r = run(['--emulate', 'fixtures/example-faulty-profile.json', '--format', 'junit', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL: report written to ${out}`);
    const xml = fs.readFileSync(out, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(CHECKS.length);
    expect(run(['--emulate', 'fixtures/example-compliant-profile.json', '--format', 'md']).stdout).toContain('**Verdict: PASS**');
  });

  it('a vendor\'s own AAGUID, attestation key and chain as PEM files', async () => {
    const aaguid = '0badc0de-1111-4222-8333-444455556666';
    const ca = await AttestationCa.create('CN=Vendor Root, O=Vendor, C=SE');
    const leaf = await ca.issueLeaf({ aaguid, subject: 'C=SE, O=Vendor, OU=Authenticator Attestation, CN=Vendor Key Batch 1' });
    fs.writeFileSync(path.join(dir, 'leaf.pem'), new crypto.X509Certificate(leaf.der).toString());
    fs.writeFileSync(path.join(dir, 'leaf-key.pem'), leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(path.join(dir, 'root.pem'), ca.rootPem);
    const profile = { description: 'Vendor Key', aaguid, features: { hmacSecret: true, credProtect: true }, attestation: { certificateChain: ['leaf.pem'], privateKey: 'leaf-key.pem', root: 'root.pem' } };
    fs.writeFileSync(path.join(dir, 'vendor-profile.json'), JSON.stringify(profile));
    const r = run(['--emulate', path.join(dir, 'vendor-profile.json'), '--format', 'json']);
    expect(r.status, r.stdout.slice(0, 2000)).toBe(0);
    expect(JSON.parse(r.stdout).outcomes.find((o: { id: string }) => o.id === 'ATT_PACKED_CHAIN_TO_MDS_ROOT').message).toContain('CN=Vendor Root');
    // a key that does not belong to the certificate is refused before any ceremony
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    fs.writeFileSync(path.join(dir, 'wrong-key.pem'), other);
    fs.writeFileSync(path.join(dir, 'wrong-profile.json'), JSON.stringify({ ...profile, attestation: { ...profile.attestation, privateKey: 'wrong-key.pem' } }));
    const wrong = run(['--emulate', path.join(dir, 'wrong-profile.json')]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/does not belong to the first certificate/);
  });

  it('the generated statement follows the profile: a PIN-only key is not "Bio"; the report says the entry was generated', () => {
    fs.writeFileSync(path.join(dir, 'pin-only.json'), JSON.stringify({ description: 'PIN Key', aaguid: '00000000-0000-4000-8000-0000000000a1', features: { uv: false, clientPin: { pin: '1234' }, hmacSecret: true } }));
    const pin = JSON.parse(run(['--emulate', path.join(dir, 'pin-only.json'), '--format', 'json']).stdout);
    expect(pin.predictedRow).toMatchObject({ bio: false });
    expect(pin.mds).toMatchObject({ generated: 'pin-only.json' });
    const text = run(['--emulate', 'fixtures/example-compliant-profile.json']);
    expect(text.stdout).toMatch(/metadata: entry generated from the emulation profile example-compliant-profile\.json \(not from MDS\)/);
    expect(text.stdout).not.toMatch(/BLOB no 0/);
  });

  it('a profile whose key signs only with fully-specified and RSA-PSS algorithms (Ed448 -53, PS384 -38, ESP256 -9) is registered, verified and passes; the statement declares them', () => {
    fs.writeFileSync(path.join(dir, 'algs.json'), JSON.stringify({ description: 'Algorithm Key', aaguid: '00000000-0000-4000-8000-0000000000a2', algorithms: ['Ed448', -38, 'ESP256'], features: { hmacSecret: true, hmacSecretMc: true, credProtect: true, clientPin: { pin: '1234' } } }));
    const r = run(['--emulate', path.join(dir, 'algs.json'), '--format', 'json']);
    const report = JSON.parse(r.stdout);
    const failed = report.outcomes.filter((o: { status: string }) => o.status === 'fail').map((o: { id: string; message: string }) => `${o.id}: ${o.message}`);
    expect(failed).toEqual([]);
    expect(r.status).toBe(0);
    // the plan offers ES256, EdDSA, RS256 and then the rest in the table's order: the key's first match is ESP256; its CTAP probes use its own first, Ed448
    expect(report.outcomes.find((o: { id: string }) => o.id === 'DECL_ALGORITHM')).toMatchObject({ status: 'pass', message: expect.stringMatching(/ESP256/) });
    expect(report.outcomes.find((o: { id: string }) => o.id === 'CTAP_MC_REQUEST')?.status).toBe('pass');
  });

  it('--tenant-profile: each Entra passkey profile predicted at registration and sign-in, with its reason, in every format', () => {
    const aaguid = 'e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5b'; // the compliant profile's
    const profiles = { passkeyProfiles: [
      { id: 'enforced', name: 'Enforced allow', attestationEnforcement: 'registrationOnly', passkeyTypes: 'deviceBound', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [aaguid] } },
      { id: 'block', name: 'Blocks it', attestationEnforcement: 'disabled', passkeyTypes: 'deviceBound,synced', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'block', aaguids: [aaguid] } },
      { id: 'synced', name: 'Synced only', attestationEnforcement: 'disabled', passkeyTypes: 'synced', keyRestrictions: { isEnforcementEnabled: false, enforcementType: 'allow', aaguids: [] } },
    ] };
    fs.writeFileSync(path.join(dir, 'tenant.json'), JSON.stringify(profiles));
    const json = run(['--emulate', 'fixtures/example-compliant-profile.json', '--tenant-profile', path.join(dir, 'tenant.json'), '--format', 'json', '--areas', 'entra-enforced,entra-not-enforced']);
    const p = JSON.parse(json.stdout).passkeyProfiles;
    expect(p).toMatchObject({ source: 'tenant.json', registration: 'accepted', acceptedBy: ['Enforced allow'] });
    expect(p.profiles.map((x: { name: string; registration: { verdict: string }; signIn: { verdict: string } }) => [x.name, x.registration.verdict, x.signIn.verdict])).toEqual([['Enforced allow', 'accepted', 'accepted'], ['Blocks it', 'refused', 'refused'], ['Synced only', 'refused', 'accepted']]);
    expect(p.profiles[2].registration.reasons).toEqual(['a device-bound passkey (BE=0), and the profile targets synced passkeys only']);
    const text = run(['--emulate', 'fixtures/example-compliant-profile.json', '--tenant-profile', path.join(dir, 'tenant.json'), '--areas', 'entra-enforced,entra-not-enforced']).stdout;
    expect(text).toMatch(/Entra passkey profiles \(tenant\.json\): registration accepted \(accepted by Enforced allow\)/);
    expect(text).toMatch(/Blocks it \[attestation not enforced; deviceBound \+ synced\]: registration refused \(AAGUID e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5b is on the profile's block list\); sign-in refused/);
    const md = run(['--emulate', 'fixtures/example-compliant-profile.json', '--tenant-profile', path.join(dir, 'tenant.json'), '--format', 'md', '--areas', 'entra-enforced']).stdout;
    expect(md).toMatch(/## Predictions[\s\S]*- Entra passkey profiles \(tenant\.json\)[\s\S]*  - Synced only/);
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const bad = run(['--emulate', 'fixtures/example-compliant-profile.json', '--tenant-profile', write('tenant-bad.json', '{"id":"x","attestationEnforcement":"sometimes","passkeyTypes":"synced"}')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/attestationEnforcement must be "disabled" or "registrationOnly", got "sometimes"/);
  });

  it('bad profiles and usage: exit 2 with the problem named', () => {
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const cases: [string[], RegExp][] = [
      [[], /needs --emulate/],
      [['--emulate'], /--emulate needs a value/],
      [['--emulate', path.join(dir, 'missing.json')], /cannot read profile .*ENOENT/],
      [['--emulate', write('notjson.json', '{')], /is not JSON/],
      [['--emulate', write('noaaguid.json', '{"description":"x","aaguid":"XYZ"}')], /aaguid must be a lowercase/],
      [['--emulate', write('nodesc.json', '{"aaguid":"00000000-0000-4000-8000-000000000000"}')], /description must be/],
      [['--emulate', write('nofiles.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","attestation":{"certificateChain":["nope.pem"],"privateKey":"k.pem","root":"r.pem"}}')], /certificate nope\.pem .* cannot be read/],
      [['--emulate', 'fixtures/example-compliant-profile.json', '--format', 'pdf'], /--format must be/],
      [['--virtual', '--profile', 'nope'], /unknown profile nope/],
      [['--virtual', '--areas', 'everything'], /unknown area everything/],
      // typos are refused with the member meant, not silently ignored
      [['--emulate', write('typo1.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","features":{"hmacsecret":true}}')], /features has no member "hmacsecret": did you mean "hmacSecret"\?/],
      [['--emulate', write('typo2.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","features":{"transport":["usb"]}}')], /features has no member "transport": did you mean "transports"\?/],
      [['--emulate', write('typo3.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","fault":{"noUP":true}}')], /the profile has no member "fault": did you mean "faults"\?/],
      [['--emulate', write('typo4.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","faults":{"noUp":true}}')], /faults has no member "noUp": did you mean "noUP"\?/],
      [['--emulate', write('alg1.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","algorithms":["Ed488"]}')], /algorithms: "Ed488" is not an algorithm the software key implements: did you mean "Ed448"\?/],
      [['--emulate', write('alg2.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","algorithms":[]}')], /algorithms must be a non-empty array/],
      [['--emulate', write('typo5.json', '{"description":"x","aaguid":"00000000-0000-4000-8000-000000000000","features":{"uv":"yes"}}')], /features\.uv must be true or false/],
    ];
    for (const [args, msg] of cases) {
      const r = run(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
