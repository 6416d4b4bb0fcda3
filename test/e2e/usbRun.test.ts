import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { fakeNodeHid } from '../helpers/fakeNodeHid.ts';
import { launchChromium } from '../../runner/chromium.ts';
import { loadProfile } from '../../conformance/src/emulation/loadProfile.ts';
import { personTouchingAfter } from '../../conformance/src/emulation/softPerson.ts';
import { withDraftStatements, FIDO_USAGE_PAGE, CHECKS } from '../../conformance/src/index.ts';

/**
 * The guided page's "Test over USB", clicked through in Chromium: the server drives a key behind
 * a fake node-hid (the software key's CTAPHID device behind it; a person who takes 400 ms to
 * touch, so the page's "touch the key now" is seen), with a mistake first (a PIN key, no PIN).
 */
let s: TestServer;
let browser: Browser;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-usb-page-'));
  const base = JSON.parse(fs.readFileSync('fixtures/example-compliant-profile.json', 'utf8'));
  const profile = path.join(dir, 'pin-key.json');
  fs.writeFileSync(profile, JSON.stringify({ ...base, features: { ...base.features, clientPin: { pin: '482916' } } }));
  // a slow person for the first touches (the page must show the prompt), then a quick one
  let touches = 0;
  const slow = personTouchingAfter(400);
  const quick = personTouchingAfter(10);
  const loaded = await loadProfile(profile, { hid: { presence: (signal) => (touches++ < 3 ? slow(signal) : quick(signal)) } });
  const hid = fakeNodeHid([{ info: { path: '/dev/hidraw5', vendorId: 0x1ea8, productId: 0xf1d0, manufacturer: 'Example Vendor', product: 'Example Key NFC', usagePage: FIDO_USAGE_PAGE, usage: 1 }, device: loaded.key.server }]);
  s = await startTestServer({ listen: true, metadata: withDraftStatements(undefined, [loaded.entry]), nodeHid: async () => hid });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('guided page: test over USB', () => {
  it('lists the key, asks for the PIN it needs, shows "touch the key now", ends with the checks and what changed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${s.origin}/run.html`);
    await page.waitForSelector('body[data-ready=true]');
    await page.waitForFunction(() => !(document.getElementById('usb-start') as HTMLButtonElement).disabled);
    expect(await page.locator('#usb-device option').allTextContents()).toEqual(['Example Key NFC (Example Vendor), 0x1ea8:0xf1d0, /dev/hidraw5']);
    await page.fill('#label', 'Example Key NFC');
    await page.fill('#firmware', '5.8.0');
    // the mistake: no PIN for a key that has one
    await page.click('#usb-start');
    await page.waitForSelector('#usb-status[data-kind=error]');
    expect(await page.textContent('#usb-status')).toMatch(/this key has a PIN: type it in the PIN field/);
    await page.fill('#usb-pin', '482916');
    await page.click('#usb-start');
    await page.waitForSelector('#usb-status[data-kind=touch]');
    expect(await page.textContent('#usb-status')).toMatch(/^Touch the key now/);
    expect(await page.inputValue('#usb-pin')).toBe('');
    await page.screenshot({ path: path.join(dir, 'touch.png') });
    await page.waitForSelector('#usb-status[data-kind=ok]', { timeout: 60_000 });
    expect(await page.textContent('#usb-status')).toMatch(/^Done: PASS/);
    const rows = await page.locator('[data-testid=checks] tr').evaluateAll((trs) => trs.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-status')]));
    expect(rows.filter(([id]) => id?.startsWith('CTAP_')).length).toBe(CHECKS.filter((c) => c.area === 'ctap').length);
    expect(rows.filter(([, st]) => st === 'fail')).toEqual([]);
    expect(await page.textContent('[data-testid=key-changes]')).toMatch(/Nothing of this run is left on the key/);
    expect(await page.locator('[data-testid=runs] tr[data-run]').count()).toBe(1);
    await page.screenshot({ path: path.join(dir, 'done.png'), fullPage: true });
    fs.copyFileSync(path.join(dir, 'touch.png'), '/tmp/usb-touch.png');
    fs.copyFileSync(path.join(dir, 'done.png'), '/tmp/usb-done.png');
    await context.close();
  }, 120_000);
});
