import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { AttestationCa } from '../conformance/src/emulation/AttestationCa.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob, type MetadataBlob } from '../conformance/src/mds/MetadataBlob.ts';
import { userIdFor, CEREMONY_PLAN } from '../conformance/src/checks/ceremonyPlan.ts';
import { BROWSER_CHECKS } from '../conformance/src/checks/registry.ts';
import { readReports } from '../conformance/src/report/readReports.ts';

/** Guided runs through the API, driven here by the software key as a person would drive a real one. */
const AAGUID = 'a11ce000-0000-4000-8000-00000000b0b0';
let ca: AttestationCa;
let mds: MetadataBlob;
let s: TestServer | undefined;
beforeAll(async () => {
  ca = await AttestationCa.create();
  const signer = await TestMdsSigner.create();
  mds = loadMetadataBlob(await signer.blob({ no: 4, nextUpdate: '2099-01-01', entries: [compliantEntry(AAGUID, ca.rootPem, 'Guided Key')] }), [new crypto.X509Certificate(signer.rootDer)]);
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function key(features = { hmacSecret: true, credProtect: true, transports: ['usb', 'nfc'] }) {
  const leaf = await ca.issueLeaf({ aaguid: AAGUID });
  return new SoftAuthenticator({ aaguid: Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der], features });
}

async function guidedRun(api: ApiSession, k: SoftAuthenticator, label: string) {
  const start = await api.post('/api/runs', { label, firmware: '5.7.1' });
  expect(start.statusCode, start.body).toBe(200);
  const { id, plan } = start.json();
  expect(plan.map((p: { step: string }) => p.step)).toEqual(CEREMONY_PLAN.map((p) => p.step));
  // the plan on its own (a page resuming a run it did not start) is the same plan
  expect((await api.get('/api/plan')).json()).toEqual({ plan });
  let report: any;
  for (const p of CEREMONY_PLAN) {
    const o = (await api.post(`/api/runs/${id}/steps/${p.step}/options`)).json();
    let body: object;
    try {
      const choose = p.kind === 'authentication' && p.account ? [...k.credentials.values()].find((c) => Buffer.from(c.userHandle).toString('base64url') === userIdFor(p.account!)) : undefined;
      body = { response: p.kind === 'registration' ? await k.create(o, s!.origin) : await k.get(o, s!.origin, {}, choose && Buffer.from(choose.id).toString('base64url')) };
    } catch (e) {
      body = { error: { name: 'NotAllowedError', message: (e as Error).message }, challenge: o.challenge };
    }
    const r = await api.post(`/api/runs/${id}/steps/${p.step}/result`, body);
    expect(r.statusCode, r.body).toBe(200);
    report = r.json();
  }
  return { id, report };
}

describe('guided runs through the API', () => {
  it('a compliant key passes every check live; the run is stored, listed, re-evaluated and downloadable', async () => {
    s = await startTestServer({ metadata: mds });
    const api = new ApiSession(s.app);
    const { id, report } = await guidedRun(api, await key(), 'Guided Key sample 1');
    expect(report.outcomes.filter((o: { status: string }) => o.status !== 'pass').map((o: { id: string; status: string }) => `${o.id}: ${o.status}`)).toEqual(['HYG_UV_ONLY_WHEN_VERIFIED: skip']);
    expect(report).toMatchObject({ verdict: 'pass', aaguid: AAGUID, run: { subject: { via: 'physical', firmware: '5.7.1' } }, predictedRow: { description: 'Guided Key', eligible: true } });
    const list = (await api.get(`/api/runs?aaguid=${AAGUID}`)).json().runs;
    expect(list).toMatchObject([{ id, label: 'Guided Key sample 1', firmware: '5.7.1', verdict: 'pass' }]);
    expect((await api.get(`/api/runs/${id}`)).json().outcomes).toHaveLength(BROWSER_CHECKS.length);
    const html = await api.get(`/api/runs/${id}/report.html`);
    expect(html.headers['content-disposition']).toContain('attachment');
    expect(html.body).toContain('data-verdict="pass"');
    expect((await api.get(`/api/runs/${id}/report.junit`)).body.match(/<testcase /g)).toHaveLength(BROWSER_CHECKS.length);
    // the downloaded report.json is what `fido2-harness report` reads back
    expect(readReports((await api.get(`/api/runs/${id}/report.json`)).body, 'report.json')).toMatchObject([{ verdict: 'pass', run: { subject: { via: 'physical', firmware: '5.7.1' } } }]);
  });

  it('two runs of one AAGUID can be diffed', async () => {
    s = await startTestServer({ metadata: mds });
    const api = new ApiSession(s.app);
    const a = await guidedRun(api, await key(), 'firmware 1');
    const b = await guidedRun(api, await key({ hmacSecret: false, credProtect: true, transports: ['usb', 'nfc'] }), 'firmware 2');
    const d = (await api.get(`/api/runs/diff?a=${a.id}&b=${b.id}`)).json();
    expect(d.a.verdict).toBe('pass');
    expect(d.b.verdict).toBe('fail');
    expect(d.changed).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'EXT_HMAC_SECRET_OR_PRF', a: 'pass', b: 'fail', change: 'regressed' })]));
    expect(d.regressions).toBeGreaterThan(0);
    expect((await api.get(`/api/runs?aaguid=${AAGUID}`)).json().runs).toHaveLength(2);
  });

  it('a key not in MDS yet, with the vendor\'s draft statement (--statements): judged against the draft, uncertified until its status reports say otherwise', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-draft-'));
    try {
      const entry = compliantEntry(AAGUID, ca.rootPem, 'Draft Key');
      const statement = path.join(dir, 'statement.json');
      fs.writeFileSync(statement, JSON.stringify(entry.metadataStatement));
      s = await startTestServer({ flags: ['--statements', statement] });
      let api = new ApiSession(s.app);
      expect((await api.get('/api/config')).json().mds).toMatchObject({ state: 'none', drafts: `draft statement(s) for ${AAGUID}` });
      const { report } = await guidedRun(api, await key(), 'draft 1');
      const status = (id: string) => report.outcomes.find((o: { id: string }) => o.id === id).status;
      expect(report.mds).toEqual({ no: 0, nextUpdate: '', listed: true, draft: statement });
      expect(status('ATT_PACKED_CHAIN_TO_MDS_ROOT')).toBe('pass'); // the draft's root is the trust anchor
      expect(status('MDS_DECLARES_RK')).toBe('pass');
      expect(status('MDS_FIDO_CERTIFIED')).toBe('fail'); // not certified before certification
      expect(report.toFix.map((f: { id: string }) => f.id)).toEqual(['MDS_FIDO_CERTIFIED']);
      // the demo page's registration shows the draft's name and says it is not from MDS
      const k = await key();
      const opts = await api.post('/api/registration/options', { username: 'vendor', attestation: 'direct' });
      const reg = await api.post('/api/registration/verify', await k.create(opts.json(), s.origin));
      expect(reg.statusCode, reg.body).toBe(200);
      expect(reg.json().credential.authenticator).toMatchObject({ name: 'Draft Key', status: 'draft statement, not in MDS' });
      expect(reg.json().findings.find((f: { code: string }) => f.code === 'MDS_ENTRY').message).toMatch(/the draft statement .*statement\.json \(not from MDS\) describes/);
      await s.close();
      // the entry form with its status reports previews the verdict after certification, and overrides the BLOB's entry
      const certified = path.join(dir, 'entry.json');
      fs.writeFileSync(certified, JSON.stringify({ ...entry, metadataStatement: { ...entry.metadataStatement, description: 'Draft Key v2' } }));
      s = await startTestServer({ metadata: mds, flags: ['--statements', certified] });
      api = new ApiSession(s.app);
      const after = (await guidedRun(api, await key(), 'draft 2')).report;
      expect(after).toMatchObject({ verdict: 'pass', mds: { no: 4, listed: true, draft: certified }, predictedRow: { description: 'Draft Key v2', eligible: true } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve --tenant-profile: every guided run report predicts the tenant\'s passkey profiles; a bad file stops the server naming its problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-tenant-'));
    try {
      const tenant = path.join(dir, 'tenant.json');
      fs.writeFileSync(tenant, JSON.stringify({ value: [
        { id: 'a', name: 'Allow this key', attestationEnforcement: 'registrationOnly', passkeyTypes: 'deviceBound', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [AAGUID] } },
        { id: 'b', name: 'Allow others', attestationEnforcement: 'disabled', passkeyTypes: 'deviceBound,synced', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: ['00000000-0000-4000-8000-000000000001'] } },
      ] }));
      s = await startTestServer({ metadata: mds, flags: ['--tenant-profile', tenant] });
      const { report } = await guidedRun(new ApiSession(s.app), await key(), 'tenant');
      expect(report.passkeyProfiles).toMatchObject({ source: 'tenant.json', registration: 'accepted', acceptedBy: ['Allow this key'] });
      expect(report.passkeyProfiles.profiles[1]).toMatchObject({ registration: { verdict: 'refused' }, signIn: { verdict: 'refused', reasons: [expect.stringMatching(/key restrictions apply at sign-in: AAGUID a11ce000-.* is not on the profile's allow list/)] } });
      // the report read back (a download from the page) keeps the prediction and passes the reader's checks
      expect(readReports(JSON.stringify(report), 'r.json')[0]!.passkeyProfiles?.acceptedBy).toEqual(['Allow this key']);
      await s.close();
      s = undefined;
      fs.writeFileSync(tenant, JSON.stringify({ id: 'x', attestationEnforcement: 'registrationOnly', passkeyTypes: 'passwords' }));
      await expect(startTestServer({ flags: ['--tenant-profile', tenant] })).rejects.toThrow(/--tenant-profile: .*passkeyTypes must be "deviceBound", "synced" or "deviceBound,synced"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the run list pages with a cursor; a step result over 64 KB is refused naming the limit, and the run keeps what it had', async () => {
    s = await startTestServer({ metadata: mds });
    const api = new ApiSession(s.app);
    for (let i = 0; i < 7; i++) expect((await api.post('/api/runs', { label: `run ${i}` })).statusCode).toBe(200);
    const first = (await api.get('/api/runs?limit=3')).json();
    expect(first.runs).toHaveLength(3);
    const second = (await api.get(`/api/runs?limit=3&cursor=${first.next}`)).json();
    const third = (await api.get(`/api/runs?limit=3&cursor=${second.next}`)).json();
    expect(third.next).toBeUndefined();
    const ids = [...first.runs, ...second.runs, ...third.runs].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(7);
    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'cursor=bm9wZQ', `cursor=${'A'.repeat(500)}`, 'cursor=W10']) {
      const r = await api.get(`/api/runs?${bad}`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().error.message, bad).toMatch(/limit|cursor/);
    }
    const { id } = first.runs[0];
    const o = (await api.post(`/api/runs/${id}/steps/register-basic/options`)).json();
    const padded = await api.post(`/api/runs/${id}/steps/register-basic/result`, { error: { name: 'NotAllowedError', message: 'x'.repeat(70 * 1024) }, challenge: o.challenge });
    expect(padded.statusCode).toBe(413);
    expect(padded.json().error).toEqual({ code: 'BODY_TOO_LARGE', message: 'request body is larger than the 65536 byte limit of this route' });
    expect((await api.get(`/api/runs/${id}`)).json().run.ceremonies).toEqual([]);
  });

  it('a run resumed with another key: its answers are not recorded as the first key\'s failures, the reason is said', async () => {
    s = await startTestServer({ metadata: mds });
    const api = new ApiSession(s.app);
    const { id } = (await api.post('/api/runs', { label: 'two keys' })).json();
    const k1 = await key();
    const o1 = (await api.post(`/api/runs/${id}/steps/register-basic/options`)).json();
    expect((await api.post(`/api/runs/${id}/steps/register-basic/result`, { response: await k1.create(o1, s.origin) })).statusCode).toBe(200);
    // another model (another AAGUID) registers the next account
    const other = new SoftAuthenticator({ aaguid: Buffer.from('0123456789abcdef0123456789abcdef', 'hex') });
    const o2 = (await api.post(`/api/runs/${id}/steps/register-account-1/options`)).json();
    const r2 = await api.post(`/api/runs/${id}/steps/register-account-1/result`, { response: await other.create(o2, s.origin) });
    expect(r2.statusCode).toBe(422);
    expect(r2.json().error).toMatchObject({ code: 'KEY_CHANGED', message: expect.stringMatching(/began with a key of AAGUID a11ce000-0000-4000-8000-00000000b0b0, and this answer came from AAGUID 01234567-89ab-cdef-0123-456789abcdef/) });
    // a sign-in with a credential this run never registered (the same model, another key)
    const twin = await key();
    const twinId = (await twin.create({ ...o1, challenge: 'dHdpbg' }, s.origin)).id;
    const o3 = (await api.post(`/api/runs/${id}/steps/sign-in-uv/options`)).json();
    const r3 = await api.post(`/api/runs/${id}/steps/sign-in-uv/result`, { response: await twin.get({ ...o3, allowCredentials: [{ id: twinId, type: 'public-key' }] }, s.origin) });
    expect(r3.json().error).toMatchObject({ code: 'KEY_CHANGED', message: expect.stringMatching(/a credential this run did not register/) });
    // nothing of either was recorded: the run has its one step
    expect((await api.get(`/api/runs/${id}`)).json().run.ceremonies.map((c: { step: string }) => c.step)).toEqual(['register-basic']);
  });

  it('history of a key model: runs oldest first with every check\'s outcome, and the regression between firmware versions', async () => {
    s = await startTestServer({ metadata: mds });
    const api = new ApiSession(s.app);
    await guidedRun(api, await key(), 'fw 1');
    // the next firmware, a day later (the test clock stands still otherwise), lost hmac-secret
    s.clock.now += 86_400_000;
    await guidedRun(api, await key({ hmacSecret: false, credProtect: true, transports: ['usb', 'nfc'] } as never), 'fw 2');
    const h = (await api.get(`/api/history?aaguid=${AAGUID}`)).json();
    expect(h.runs.map((r: { label: string; finished: boolean }) => [r.label, r.finished])).toEqual([['fw 1', true], ['fw 2', true]]);
    expect(h.regressions).toContainEqual({ check: 'EXT_HMAC_SECRET_OR_PRF', from: 0, to: 1 });
    expect(h.checks.find((c: { id: string }) => c.id === 'EXT_HMAC_SECRET_OR_PRF').outcomes).toEqual(['pass', 'fail']);
    expect((await api.get('/api/history?aaguid=nope')).statusCode).toBe(400);
    expect((await api.get('/api/history?aaguid=00000000-0000-4000-8000-000000000000')).json()).toMatchObject({ runs: [], checks: [], regressions: [] });
  });

  it('bad input: unknown run, unknown step, malformed results, replays, another run\'s challenge', async () => {
    s = await startTestServer({ metadata: mds });
    const api = new ApiSession(s.app);
    const { id } = (await api.post('/api/runs', {})).json();
    const other = (await api.post('/api/runs', { label: 'other' })).json().id;
    expect((await api.post(`/api/runs/${crypto.randomUUID()}/steps/register-basic/options`)).statusCode).toBe(404);
    expect((await api.post(`/api/runs/${id}/steps/no-such-step/options`)).statusCode).toBe(400);
    expect((await api.post(`/api/runs/../../etc/steps/register-basic/options`)).statusCode).toBeGreaterThanOrEqual(400);
    expect((await api.post('/api/runs', { label: 'x'.repeat(101) })).statusCode).toBe(400);
    expect((await api.post(`/api/runs/${id}/steps/register-basic/result`, {})).statusCode).toBe(400);
    expect((await api.post(`/api/runs/${id}/steps/register-basic/result`, { error: { name: 'NotAllowedError', message: 'x' } })).statusCode).toBe(400);
    const bad = await api.post(`/api/runs/${id}/steps/register-basic/result`, { response: { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'oA' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toMatch(/^BAD_/);
    const k = await key();
    const o = (await api.post(`/api/runs/${id}/steps/register-basic/options`)).json();
    const resp = await k.create(o, s.origin);
    expect((await api.post(`/api/runs/${other}/steps/register-basic/result`, { response: resp })).json().error.code).toBe('CHALLENGE_WRONG_STEP');
    const o2 = (await api.post(`/api/runs/${id}/steps/register-basic/options`)).json();
    const resp2 = await k.create(o2, s.origin);
    expect((await api.post(`/api/runs/${id}/steps/register-basic/result`, { response: resp2 })).statusCode).toBe(200);
    expect((await api.post(`/api/runs/${id}/steps/register-basic/result`, { response: resp2 })).json().error.code).toBe('CHALLENGE_UNKNOWN');
    expect((await api.get('/api/runs/diff?a=1&b=2')).statusCode).toBe(400);
    expect((await api.get(`/api/runs/${id}/report.pdf`)).statusCode).toBe(400);
  });
});
