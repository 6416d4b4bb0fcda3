import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium } from '../../runner/chromium.ts';
import { ApiSession } from '../helpers/ApiSession.ts';
import { AttestationCa } from '../../conformance/src/emulation/AttestationCa.ts';
import { SoftAuthenticator, type SoftFeatures } from '../../conformance/src/emulation/SoftAuthenticator.ts';
import { TestMdsSigner, compliantEntry } from '../../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../../conformance/src/mds/MetadataBlob.ts';
import { CEREMONY_PLAN, userIdFor } from '../../conformance/src/checks/ceremonyPlan.ts';

/** A key model's history on the guided page: a grid of checks × runs, the regression marked. */
const AAGUID = 'b15707e0-0000-4000-8000-00000000f1f1';
let s: TestServer;
let browser: Browser;
let ca: AttestationCa;
beforeAll(async () => {
  ca = await AttestationCa.create();
  const signer = await TestMdsSigner.create();
  const mds = loadMetadataBlob(await signer.blob({ no: 2, nextUpdate: '2099-01-01', entries: [compliantEntry(AAGUID, ca.rootPem, 'History Key')] }), [new crypto.X509Certificate(signer.rootDer)]);
  s = await startTestServer({ listen: true, metadata: mds });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function run(api: ApiSession, features: SoftFeatures, firmware: string) {
  const leaf = await ca.issueLeaf({ aaguid: AAGUID });
  const k = new SoftAuthenticator({ aaguid: Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der], features });
  const { id } = (await api.post('/api/runs', { label: 'History Key', firmware })).json();
  for (const p of CEREMONY_PLAN) {
    const o = (await api.post(`/api/runs/${id}/steps/${p.step}/options`)).json();
    const choose = p.kind === 'authentication' && p.account ? [...k.credentials.values()].find((c) => Buffer.from(c.userHandle).toString('base64url') === userIdFor(p.account!)) : undefined;
    const response = p.kind === 'registration' ? await k.create(o, s.origin) : await k.get(o, s.origin, {}, choose && Buffer.from(choose.id).toString('base64url'));
    expect((await api.post(`/api/runs/${id}/steps/${p.step}/result`, { response })).statusCode).toBe(200);
  }
}

describe('history of a key model on the guided page', () => {
  it('firmware 1.0 then 1.1 (which lost hmac-secret): the grid shows both, the regression marked and listed first', async () => {
    const api = new ApiSession(s.app);
    await run(api, { hmacSecret: true, credProtect: true, transports: ['usb', 'nfc'] }, '1.0');
    // a day later (the test clock stands still otherwise)
    s.clock.now += 86_400_000;
    await run(api, { hmacSecret: false, credProtect: true, transports: ['usb', 'nfc'] }, '1.1');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${s.origin}/run.html`);
    await page.waitForSelector('body[data-ready=true]');
    await page.click(`[data-history="${AAGUID}"]`);
    await page.waitForSelector('[data-testid=history]');
    expect(await page.textContent('[data-testid=history-summary]')).toMatch(/[1-9] regression\(s\) between consecutive runs/);
    const heads = await page.locator('[data-testid=history] th').allTextContents();
    expect(heads[1]).toMatch(/^1\.0/);
    expect(heads[2]).toMatch(/^1\.1/);
    // the rows with a regression come first, EXT_HMAC_SECRET_OR_PRF among them, its 1.1 cell marked
    const rows = await page.locator('[data-testid=history] tr[data-check]').evaluateAll((trs) => trs.map((r) => ({ id: r.getAttribute('data-check'), down: !!r.querySelector('td[data-regressed=true]') })));
    const firstClean = rows.findIndex((r) => !r.down);
    expect(rows.slice(firstClean).some((r) => r.down)).toBe(false);
    expect(rows.slice(0, firstClean).map((r) => r.id)).toContain('EXT_HMAC_SECRET_OR_PRF');
    expect(await page.locator('[data-testid=history] tr[data-check=EXT_HMAC_SECRET_OR_PRF] td[data-regressed=true]').textContent()).toBe('▼ fail');
    fs.mkdirSync('test-artifacts', { recursive: true });
    await page.locator('#history').screenshot({ path: 'test-artifacts/history.png' });
    await page.close();
  });
});
