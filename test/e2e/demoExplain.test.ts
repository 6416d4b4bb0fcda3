import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, openWithVirtualKey } from '../../runner/chromium.ts';
import { midWordBreaks, press, setRegistrationForm } from '../helpers/demoPage.ts';
import { TestMdsSigner, compliantEntry } from '../../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../../conformance/src/mds/MetadataBlob.ts';

/**
 * The demo page says what actually went wrong: a refusal in milliseconds is not a timeout,
 * an option the browser refuses is named instead of "tick more algorithms", the previous
 * response's decoded view does not linger under a new error, the COSE key is decoded with
 * names, a stale BLOB is flagged in the header, and check codes break only at underscores.
 */
const CHROMIUM_AAGUID = '01020304-0506-0708-0102-030405060708';
let s: TestServer;
let browser: Browser;
beforeAll(async () => {
  const signer = await TestMdsSigner.create();
  // a BLOB whose nextUpdate passed long ago: still loaded (verified), but stale
  const blob = loadMetadataBlob(await signer.blob({ no: 41, nextUpdate: '2021-01-01', entries: [compliantEntry(CHROMIUM_AAGUID, signer.rootPem, 'Stale Listed Key')] }), [new crypto.X509Certificate(signer.rootDer)], { at: new Date('2020-06-01') });
  s = await startTestServer({ listen: true, metadata: blob });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const decodedState = (page: Page) => page.locator('#decoded').evaluate((d) => d.firstElementChild?.getAttribute('data-testid'));

describe('demo page: errors explained by what was asked and how fast', () => {
  it('a registration decoded with the COSE key named; then errors clear it and name the cause', async () => {
    const k = await openWithVirtualKey(browser, `${s.origin}/`, { hasLargeBlob: true });
    expect(await k.page.locator('[data-testid=mds-stale]').textContent()).toContain('MDS BLOB no 41 was due for replacement on 2021-01-01');

    await setRegistrationForm(k.page, { username: 'cose-user', residentKey: 'required' });
    const ok = await press(k.page, '#register');
    expect(ok.kind, ok.status).toBe('ok');
    const cose = await k.page.locator('[data-testid=cose-key] tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(cose).toContainEqual(['1', 'kty', '2', 'EC2']);
    expect(cose).toContainEqual(['3', 'alg', '-7', 'ES256']);
    expect(cose).toContainEqual(['-1', 'crv', '1', 'P-256']);
    expect(cose.find((r) => r[1] === 'x')?.[2]).toMatch(/^[0-9a-f]{64} \(32 bytes\)$/);
    // the credential list names the algorithm too
    expect(await k.page.locator('[data-testid=credential-row] td').nth(3).textContent()).toBe('ES256 (-7)');

    // only ES512 offered: Chromium's key refuses in milliseconds; that is not a timeout
    await setRegistrationForm(k.page, { username: 'alg-user', algorithms: [-36] });
    const fast = await press(k.page, '#register');
    expect(fast.kind).toBe('error');
    expect(fast.status).toContain('refused at once');
    expect(fast.status).toContain('not a timeout');
    expect(fast.status).toContain('ES512');
    expect(fast.status).not.toContain('timed out, you closed');
    expect(await decodedState(k.page)).toBe('decoded-none');

    // credProtect enforced on a non-discoverable credential: the option is named, not the algorithms
    await setRegistrationForm(k.page, { username: 'protect-user', algorithms: [-7], residentKey: 'discouraged', credProtect: 'userVerificationRequired', credProtectEnforce: true });
    const protect = await press(k.page, '#register');
    expect(protect.status).toContain('credProtect "userVerificationRequired" with "enforce"');
    expect(protect.status).toContain('Resident key');
    expect(protect.status).not.toContain('Tick more algorithms');

    // largeBlob required without a discoverable credential
    await setRegistrationForm(k.page, { username: 'blob-user', credProtect: '', credProtectEnforce: false, largeBlob: 'required' });
    const blob = await press(k.page, '#register');
    expect(blob.status).toContain('largeBlob "required" needs a discoverable credential');
    expect(blob.status).not.toContain('Tick more algorithms');
    await k.context.close();
  });

  it('warn findings are styled; codes break only after underscores on a narrow screen', async () => {
    const k = await openWithVirtualKey(browser, `${s.origin}/`);
    await k.page.setViewportSize({ width: 420, height: 900 });
    await setRegistrationForm(k.page, { username: 'narrow-user' });
    const r = await press(k.page, '#register');
    expect(r.status).toBeTruthy();
    const colours = await k.page.evaluate(() => {
      const t = document.createElement('table');
      const row = (cls: string) => {
        const tr = document.createElement('tr');
        tr.className = `finding ${cls}`;
        tr.append(document.createElement('td'));
        t.append(tr);
        return tr.firstElementChild!;
      };
      const cells = { warn: row('warn'), skip: row('skip'), fail: row('fail') };
      document.body.append(t);
      const c = Object.fromEntries(Object.entries(cells).map(([k, td]) => [k, getComputedStyle(td).color]));
      t.remove();
      return c;
    });
    expect(colours.warn).toBe('rgb(154, 103, 0)');
    expect(colours.warn).not.toBe(colours.skip);
    // every line break inside a code falls right after an underscore
    const midWord = await midWordBreaks(k.page, '[data-testid=findings] code');
    expect(midWord.codes).toBeGreaterThan(5);
    expect(midWord.bad).toEqual([]);
    await k.context.close();
  });
});
