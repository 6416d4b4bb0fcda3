import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import type { MetadataEntry } from '../conformance/src/mds/MetadataBlob.ts';
import { CORPUS, hasCorpus } from './helpers/corpus.ts';

const BIN = path.resolve('bin/fido2-harness.js');
let dir: string;
const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'mds', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, FIDO2_HARNESS_CACHE: path.join(dir, 'cache') } });
const runAsync = (args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  const c = spawn(process.execPath, [BIN, 'mds', ...args], { env: { ...process.env, FIDO2_HARNESS_CACHE: path.join(dir, 'cache') } });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d) => (stdout += d));
  c.stderr.on('data', (d) => (stderr += d));
  c.on('exit', (status) => resolve({ status, stdout, stderr }));
});

const A = {
  good: 'aaaaaaaa-0000-4000-8000-000000000001',
  revoked: 'aaaaaaaa-0000-4000-8000-000000000002',
  uncertified: 'aaaaaaaa-0000-4000-8000-000000000003',
  noRk: 'aaaaaaaa-0000-4000-8000-000000000004',
  v31: 'aaaaaaaa-0000-4000-8000-000000000005',
};
let root: string;
let files: Record<string, string>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-mdscli-'));
  const s = await TestMdsSigner.create();
  root = path.join(dir, 'root.pem');
  fs.writeFileSync(root, s.rootPem);
  const entry = (aaguid: string, desc: string, patch: (e: MetadataEntry) => void = () => {}) => {
    const e = compliantEntry(aaguid, s.rootPem, desc);
    patch(e);
    return e;
  };
  const entries = [
    entry(A.good, 'Good Key NFC'),
    entry(A.revoked, 'Revoked Key', (e) => e.statusReports!.push({ status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-02-01' })),
    entry(A.uncertified, 'Uncertified Key', (e) => (e.statusReports = [{ status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2024-01-01' }])),
    entry(A.noRk, 'No Resident Key', (e) => ((e.metadataStatement!.authenticatorGetInfo as { options: Record<string, boolean> }).options.rk = false)),
    // an entry as today's BLOBs carry them: MDS 3.1 statement members and status-report members
    entry(A.v31, 'MDS 3.1 Statement Authenticator', (e) => {
      Object.assign(e.metadataStatement!, { friendlyNames: { 'en-US': 'Example Authenticator', 'de-DE': 'Beispiel-Authenticator' }, multiDeviceCredentialSupport: 'unsupported', iconDark: 'data:image/png;base64,iVBORw0KGgo=', providerLogoLight: 'data:image/png;base64,iVBORw0KGgo=', providerLogoDark: 'data:image/png;base64,iVBORw0KGgo=', cxConfigURL: 'https://vendor.example/cx' });
      e.statusReports = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2025-03-01', certificationProfiles: ['CTAP 2.3 full feature'], sunsetDate: '2031-03-01', fipsRevision: 3, fipsPhysicalSecurityLevel: 2 }];
    }),
    { attestationCertificateKeyIdentifiers: ['0123456789abcdef0123456789abcdef01234567'], metadataStatement: { description: 'Old U2F Key' }, statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: '2019-01-01' }] },
  ];
  files = {};
  for (const [name, o] of Object.entries({ good: {}, stale: { nextUpdate: '2025-01-01' }, badsig: { badSignature: true }, broken: { brokenChain: true } })) {
    files[name] = path.join(dir, `${name}.jwt`);
    fs.writeFileSync(files[name], await s.blob({ no: 3, nextUpdate: '2027-01-01', entries, ...o }));
  }
  files.statement = path.join(dir, 'statement.json');
  fs.writeFileSync(files.statement, JSON.stringify(entries[0]!.metadataStatement));
  files.badStatement = path.join(dir, 'bad-statement.json');
  fs.writeFileSync(files.badStatement, JSON.stringify(entries[3]!.metadataStatement));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('fido2-harness mds', { timeout: 120_000 }, () => {
  it('verify: 0 for a good BLOB, 1 for a bad signature or broken chain, 2 for garbage; stale is a dated warning', () => {
    expect(run(['verify', '--blob', files.good!, '--root', root]).status).toBe(0);
    const stale = run(['verify', '--blob', files.stale!, '--root', root]);
    expect(stale.status).toBe(0);
    expect(stale.stdout).toMatch(/warn\s+MDS_NEXT_UPDATE .*2025-01-01/);
    const bad = run(['verify', '--blob', files.badsig!, '--root', root, '--json']);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).findings.filter((f: { status: string }) => f.status === 'fail').map((f: { code: string }) => f.code)).toEqual(['MDS_JWS_SIGNATURE']);
    const broken = run(['verify', '--blob', files.broken!, '--root', root]);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/FAIL\s+CHAIN_LINK/);
    expect(run(['verify', '--blob', files.good!]).status).toBe(1); // not our GlobalSign roots
    expect(run(['verify', '--blob', files.statement!, '--root', root]).status).toBe(2);
    expect(run(['verify', '--blob', path.join(dir, 'nope.jwt')]).stderr).toMatch(/cannot read MDS BLOB .*ENOENT/);
  });

  it.skipIf(!hasCorpus)('verify on the FIDO conformance-tool BLOBs: exactly one exits 0, each other one names its defect', () => {
    const fake = path.join(CORPUS, 'mds', 'fido-conformance-mds3-fake-root.pem');
    const verify = (h: string, ...extra: string[]) => {
      const r = run(['verify', '--json', '--root', fake, '--blob', path.join(CORPUS, 'mds', 'conformance', `${h}.jwt`), ...extra]);
      const failed = (JSON.parse(r.stdout) as { findings: { status: string; code: string }[] }).findings.filter((f) => f.status === 'fail').map((f) => f.code);
      return { status: r.status, failed };
    };
    expect(verify('26448d4dacea1f180278c7ee2255a22c0f198d50252a1b46127d0ef247fc0aa7')).toEqual({ status: 0, failed: [] });
    expect(verify('36750a72e20751306dfabcbad9061e7b952b37c438efe916235fc8ada1e93fa2')).toEqual({ status: 1, failed: ['MDS_JWS_SIGNATURE'] });
    expect(verify('8341670cecc6b6f8d32cfabcd1ba1aa16eeb6062934a171b706144dc379918e2')).toEqual({ status: 1, failed: ['CERT_PARSE'] });
    expect(verify('8654399fb85390b4f600a6c43088975dbdf74ca6c2dc17066657f01b0c722250')).toEqual({ status: 1, failed: ['MDS_CRL'] });
    expect(verify('fafc34efeb5b350f76cb93b7b0cef6d017ee8d8286fa4ec66a1e998dee6707c6')).toEqual({ status: 1, failed: ['CHAIN_LINK', 'CHAIN_ISSUER_IS_CA', 'MDS_CHAIN_TRUSTED'] });
    // the revoked signer passes only when revocation checking is turned off, and the output says so
    expect(verify('8654399fb85390b4f600a6c43088975dbdf74ca6c2dc17066657f01b0c722250', '--crl', 'skip')).toEqual({ status: 0, failed: [] });
    const text = run(['verify', '--no-color', '--root', fake, '--blob', path.join(CORPUS, 'mds', 'conformance', '8654399fb85390b4f600a6c43088975dbdf74ca6c2dc17066657f01b0c722250.jwt')]);
    expect(text.stdout).toMatch(/NOT VERIFIED[\s\S]*FAIL\s+MDS_CRL .*revoked 2018-03-25/);
  });

  it('show and search', () => {
    const show = run(['show', A.revoked, '--blob', files.good!, '--root', root, '--at', '2026-01-01']);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('ATTESTATION_KEY_COMPROMISE since 2025-02-01');
    expect(show.stdout).toContain('NOT_COMPROMISED');
    const json = JSON.parse(run(['show', A.good, '--blob', files.good!, '--root', root, '--json']).stdout);
    expect(json.entra.eligible).toBe(true);
    expect(run(['show', '00000000-0000-0000-0000-000000000000', '--blob', files.good!, '--root', root]).status).toBe(1);
    expect(run(['show', '0123456789abcdef0123456789abcdef01234567', '--blob', files.good!, '--root', root]).stdout).toContain('Old U2F Key');
    // MDS 3.1: the statement's new members and the certification report's profiles, sunset and FIPS level are shown
    const v31 = run(['show', A.v31, '--blob', files.good!, '--root', root, '--at', '2026-01-01', '--no-color']);
    expect(v31.status, v31.stderr).toBe(0);
    expect(v31.stdout).toMatch(/friendly names\s+en-US: Example Authenticator; de-DE: Beispiel-Authenticator/);
    expect(v31.stdout).toMatch(/FIDO_CERTIFIED_L1\s+profiles CTAP 2\.3 full feature; sunset 2031-03-01; FIPS 140-3 level 2/);
    expect(v31.stdout).toMatch(/multi-device\s+unsupported/);
    expect(v31.stdout).toMatch(/images\s+iconDark, providerLogoLight, providerLogoDark/);
    expect(v31.stdout).toMatch(/cxConfigURL\s+https:\/\/vendor\.example\/cx/);
    // the whole entry lints clean, 3.1 members and status reports included
    const entryFile = path.join(dir, 'v31-entry.json');
    fs.writeFileSync(entryFile, JSON.stringify(JSON.parse(run(['show', A.v31, '--blob', files.good!, '--root', root, '--json']).stdout).entry));
    const lint = run(['lint', entryFile, '--at', '2026-01-01']);
    expect(lint.stdout + lint.stderr).toMatch(/no problems found: the statement matches the Metadata Statement 3\.1 schema/);
    expect(lint.status).toBe(0);
    const search = run(['search', 'key', '--blob', files.good!, '--root', root, '--json']);
    expect(JSON.parse(search.stdout).map((h: { description: string }) => h.description).sort()).toEqual(['Good Key NFC', 'No Resident Key', 'Old U2F Key', 'Revoked Key', 'Uncertified Key']);
  });

  it('eligible: only the compliant key by default; --why names each failed criterion; every format', () => {
    const table = run(['eligible', '--blob', files.good!, '--root', root, '--at', '2026-01-01']);
    expect(table.status).toBe(0);
    expect(table.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^Description\s+AAGUID\s+Bio\s+USB\s+NFC\s+BLE$/),
      expect.stringMatching(new RegExp(`^Good Key NFC\\s+${A.good}\\s+Yes\\s+Yes\\s+Yes\\s+No$`)),
      expect.stringMatching(new RegExp(`^MDS 3.1 Statement Authenticator\\s+${A.v31}\\s+Yes\\s+Yes\\s+Yes\\s+No$`)),
    ]);
    const rows = JSON.parse(run(['eligible', '--why', '--format', 'json', '--blob', files.good!, '--root', root, '--at', '2026-01-01']).stdout) as { description: string; eligible: boolean; failed: { criterion: string }[] }[];
    const why = Object.fromEntries(rows.map((r) => [r.description, r.failed.map((f) => f.criterion)]));
    expect(why).toEqual({
      'Good Key NFC': [],
      'MDS 3.1 Statement Authenticator': [],
      'No Resident Key': ['RESIDENT_KEY'],
      'Old U2F Key': expect.arrayContaining(['FIDO2_AAGUID']),
      'Revoked Key': ['NOT_COMPROMISED'],
      'Uncertified Key': ['FIDO_CERTIFIED'],
    });
    // a tenant's passkey profiles: one column per profile; a key an unenforced profile accepts is listed too
    const tenant = path.join(dir, 'tenant.json');
    fs.writeFileSync(tenant, JSON.stringify([
      { id: 'e', name: 'Enforced', attestationEnforcement: 'registrationOnly', passkeyTypes: 'deviceBound', keyRestrictions: { isEnforcementEnabled: false, enforcementType: 'allow', aaguids: [] } },
      { id: 'o', name: 'Open but blocks', attestationEnforcement: 'disabled', passkeyTypes: 'deviceBound,synced', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'block', aaguids: [A.good] } },
    ]));
    const withProfiles = JSON.parse(run(['eligible', '--format', 'json', '--tenant-profile', tenant, '--blob', files.good!, '--root', root, '--at', '2026-01-01']).stdout) as { description: string; passkeyProfiles: { profiles: { name: string; registration: { verdict: string; reasons: string[] } }[] } }[];
    const by = Object.fromEntries(withProfiles.map((r) => [r.description, r.passkeyProfiles.profiles.map((x) => x.registration.verdict)]));
    expect(by).toMatchObject({ 'Good Key NFC': ['accepted', 'refused'], 'Uncertified Key': ['refused', 'accepted'], 'No Resident Key': ['refused', 'accepted'], 'MDS 3.1 Statement Authenticator': ['accepted', 'accepted'] });
    expect(withProfiles.find((r) => r.description === 'Uncertified Key')!.passkeyProfiles.profiles[0]!.registration.reasons[0]).toMatch(/^attestation is enforced: FIDO_CERTIFIED \(latest status is NOT_FIDO_CERTIFIED/);
    const table2 = run(['eligible', '--why', '--tenant-profile', tenant, '--blob', files.good!, '--root', root, '--at', '2026-01-01']).stdout;
    expect(table2.split('\n')[0]).toMatch(/Profile Enforced\s+Profile Open but blocks$/);
    const badTenant = run(['eligible', '--tenant-profile', path.join(dir, 'missing.json'), '--blob', files.good!, '--root', root]);
    expect(badTenant.status).toBe(2);
    expect(badTenant.stderr).toMatch(/cannot read tenant profile .*missing\.json: ENOENT/);
    const csv = run(['eligible', '--format', 'csv', '--blob', files.good!, '--root', root]).stdout.trim().split('\n');
    expect(csv[0]).toBe('Description,AAGUID,Bio,USB,NFC,BLE');
    const md = run(['eligible', '--format', 'md', '--blob', files.good!, '--root', root]).stdout;
    expect(md).toContain(`| Good Key NFC | ${A.good} | ✅ | ✅ | ✅ | ❌ |`);
  });

  it('lint: 0 for a compliant statement, 1 with the problem and the fix, 2 for unreadable input', () => {
    expect(run(['lint', files.statement!]).status).toBe(0);
    const bad = run(['lint', files.badStatement!]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAIL\s+ENTRA_RESIDENT_KEY/);
    expect(bad.stdout).toMatch(/fix: set authenticatorGetInfo\.options\.rk to true/);
    expect(run(['lint', files.good!]).stderr).toMatch(/BAD_JSON/);
    expect(run(['lint', path.join(dir, 'missing.json')]).status).toBe(2);
  });

  it('bad usage is exit 2 with a message', () => {
    for (const [args, msg] of [[['frob'], /unknown mds subcommand/], [['eligible', '--format', 'xml'], /--format must be/], [['show'], /needs an AAGUID/], [['verify', '--at', 'soon'], /not a date/], [['eligible', '--bogus'], /unknown option/]] as const) {
      const r = run([...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const none = run(['eligible']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no cached official MDS BLOB .* run "fido2-harness mds update"/);
  });

  it('update from a URL into the cache, then offline use of the cached copy', async () => {
    const body = fs.readFileSync(files.good!, 'utf8');
    const server = http.createServer((_req, res) => res.writeHead(200, { etag: '"v1"' }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/blob`;
    try {
      const up = await runAsync(['update', '--blob', url, '--root', root]);
      expect(up.status, up.stderr).toBe(0);
      expect(up.stdout).toContain('downloaded BLOB no 3');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    const offline = await runAsync(['show', A.good, '--blob', url, '--root', root]);
    expect(offline.status, offline.stderr).toBe(0);
    expect(offline.stderr).toMatch(/offline: could not reach .* using the cached BLOB no 3/);
  }, 60_000);

  it('a server that sends its body slowly, or breaks it off: exit 2 naming what happened, no stack trace, the cache untouched', async () => {
    const body = fs.readFileSync(files.good!, 'utf8');
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.slice(0, 100));
      // slow: a trickle that would take minutes; broken: the connection dropped half way
      if (req.url === '/slow') {
        const t = setInterval(() => res.write(' '), 200);
        res.on('close', () => clearInterval(t));
      } else setTimeout(() => req.socket.destroy(), 50);
    });
    server.on('connection', (c) => sockets.add(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const cache = path.join(dir, 'slow-cache');
      const started = Date.now();
      const slow = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [BIN, 'mds', 'update', '--blob', `${base}/slow`, '--root', root, '--timeout', '1', '--cache-dir', cache]);
        let err = '';
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (status) => resolve({ status, stderr: err }));
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(slow.status, slow.stderr).toBe(2);
      expect(slow.stderr).toMatch(/MDS_UNREACHABLE: http:\/\/127\.0\.0\.1:\d+\/slow: the body did not arrive within 1 s/);
      expect(slow.stderr).not.toMatch(/\bat \w+ \(|DOMException/);
      const broken = await runAsync(['update', '--blob', `${base}/broken`, '--root', root, '--cache-dir', cache]);
      expect(broken.status, broken.stderr).toBe(2);
      expect(broken.stderr).toMatch(/MDS_UNREACHABLE: .*\/broken: the body broke off/);
      expect(fs.existsSync(cache) ? fs.readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.jwt')) : []).toEqual([]);
      const bad = run(['update', '--timeout', 'soon']);
      expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/--timeout must be seconds/)]);
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);

  it.skipIf(!hasCorpus)('eligible on the newest real BLOB: every key judged, every ineligible key names its criterion', () => {
    const r = run(['eligible', '--why', '--format', 'json', '--blob', path.join(CORPUS, 'mds/fido-mds3-prod-no121.jwt'), '--at', '2024-12-15']);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { description: string; aaguid: string; eligible: boolean; failed: { criterion: string; why: string }[] }[];
    expect(rows).toHaveLength(280);
    for (const row of rows) {
      expect(row.eligible, row.description).toBe(row.failed.length === 0);
      for (const f of row.failed) expect(f.why.length).toBeGreaterThan(3);
    }
    const by = (aaguid: string) => rows.find((x) => x.aaguid === aaguid)!;
    expect(by('fa2b99dc-9e39-4257-8f92-4a30d23c4118').eligible).toBe(true); // YubiKey 5 NFC
    expect(by('08987058-cadc-4b81-b6e1-30de50dcbe96').failed.map((f) => f.criterion)).toContain('ATTESTATION_BASIC_FULL'); // Windows Hello (tpm, attca)
    expect(rows.filter((x) => !x.aaguid).every((x) => x.failed.some((f) => f.criterion === 'FIDO2_AAGUID'))).toBe(true);
    expect(rows.filter((x) => x.eligible).length).toBeGreaterThan(50);
  });
});
