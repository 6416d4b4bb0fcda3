import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, openWithVirtualKey } from '../../runner/chromium.ts';
import { press, setRegistrationForm } from '../helpers/demoPage.ts';
import { TestMdsSigner, compliantEntry } from '../../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../../conformance/src/mds/MetadataBlob.ts';

/** Metadata is outside data too: a hostile description and an SVG icon must reach the page inert. */
const CHROMIUM_AAGUID = '01020304-0506-0708-0102-030405060708';
const EVIL = '<img src=x onerror="window.__pwned=1">Evil Key';
let s: TestServer;
let browser: Browser;
beforeAll(async () => {
  const signer = await TestMdsSigner.create();
  const e = compliantEntry(CHROMIUM_AAGUID, signer.rootPem, EVIL);
  e.metadataStatement!.icon = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=2"/>').toString('base64')}`;
  s = await startTestServer({ listen: true, metadata: loadMetadataBlob(await signer.blob({ no: 1, nextUpdate: '2099-01-01', entries: [e] }), [new crypto.X509Certificate(signer.rootDer)]) });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('authenticator names and icons from MDS on the page', () => {
  it('renders the description as text, drops the SVG icon, shows the status', async () => {
    const k = await openWithVirtualKey(browser, `${s.origin}/`);
    expect(await k.page.textContent('#rp-info')).toContain('MDS: BLOB no 1');
    await setRegistrationForm(k.page, { username: 'mds-user' });
    const r = await press(k.page, '#register');
    expect(r.kind, r.status).toBe('ok');
    expect(r.status).toContain(`${EVIL}, FIDO_CERTIFIED_L1`);
    const cell = k.page.locator('[data-testid=authenticator]').first();
    expect(await cell.locator('.name').textContent()).toBe(EVIL);
    expect(await cell.locator('img').count()).toBe(0);
    expect(await cell.locator('.status-badge').textContent()).toBe('FIDO_CERTIFIED_L1');
    expect(await k.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await k.context.close();
  });
});
