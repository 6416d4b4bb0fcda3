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
import { withDraftStatements, FIDO_USAGE_PAGE, CHECKS, type ReportSink } from '../../conformance/src/index.ts';

/**
 * The guided page's "Test the key" (over USB), clicked through in Chromium: the server drives a key behind
 * a fake node-hid (the software key's CTAPHID device behind it; a person who takes 400 ms to
 * touch, so the page's "touch the key now" is seen), with a mistake first (a PIN key, no PIN).
 */
let s: TestServer;
let browser: Browser;
let dir: string;
let hid: ReturnType<typeof fakeNodeHid>;
let loaded: Awaited<ReturnType<typeof loadProfile>>;
/** the person at the key: how soon they touch it (each test sets its own) */
let person: (signal: AbortSignal) => Promise<void>;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-usb-page-'));
  const base = JSON.parse(fs.readFileSync('fixtures/example-compliant-profile.json', 'utf8'));
  const profile = path.join(dir, 'pin-key.json');
  fs.writeFileSync(profile, JSON.stringify({ ...base, features: { ...base.features, clientPin: { pin: '482916' } } }));
  // a slow person for the first touches (the page must show the prompt), then a quick one
  let touches = 0;
  const slow = personTouchingAfter(400);
  const quick = personTouchingAfter(10);
  person = (signal) => (touches++ < 3 ? slow(signal) : quick(signal));
  loaded = await loadProfile(profile, { hid: { presence: (signal) => person(signal) } });
  hid = fakeNodeHid([{ info: { path: '/dev/hidraw5', vendorId: 0x1ea8, productId: 0xf1d0, manufacturer: 'Example Vendor', product: 'Example Key NFC', usagePage: FIDO_USAGE_PAGE, usage: 1 }, device: loaded.key.server }]);
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
    const rows = await page.locator('[data-testid=checks] tr[data-check]').evaluateAll((trs) => trs.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-status')]));
    const ctapArea = new Set<string>(CHECKS.filter((c) => c.area === 'ctap').map((c) => c.id));
    expect(rows.filter(([id]) => ctapArea.has(id ?? '')).length).toBe(ctapArea.size);
    expect(rows.filter(([, st]) => st === 'fail')).toEqual([]);
    expect(await page.textContent('[data-testid=key-changes]')).toMatch(/nothing of this run is left on the key/);
    expect(await page.locator('[data-testid=runs] tr[data-run]').count()).toBe(1);
    await page.screenshot({ path: path.join(dir, 'done.png'), fullPage: true });
    fs.copyFileSync(path.join(dir, 'touch.png'), '/tmp/usb-touch.png');
    fs.copyFileSync(path.join(dir, 'done.png'), '/tmp/usb-done.png');
    await context.close();
  }, 120_000);

  it('with the boxes ticked: says what may change, asks for each replug and the finger samples in plain words, and the power-cycle checks run', async () => {
    // the same key, plugged in again at another path (the page lists two): a person who takes
    // 400 ms to lay a finger during enrollment (the page must show the prompt), touches at once
    // otherwise, and replugs when the page asks
    let enrolling = false;
    const slow = personTouchingAfter(400);
    const quick = personTouchingAfter(10);
    person = (signal) => (enrolling ? slow(signal) : quick(signal));
    const key: ReportSink = {
      onReport(report, reply) {
        // an initialisation packet of a CTAPHID_CBOR message: is it authenticatorBioEnrollment?
        if (report[4] === 0x90) enrolling = report[7] === 0x09 || report[7] === 0x40;
        loaded.key.server.onReport(report, reply);
      },
    };
    const info = (p: string) => ({ path: p, vendorId: 0x1ea8, productId: 0xf1d1, manufacturer: 'Example Vendor', product: 'Example Key Bio', usagePage: FIDO_USAGE_PAGE, usage: 1 });
    hid.plug({ info: info('/dev/hidraw8'), device: key });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${s.origin}/run.html`);
    await page.waitForSelector('body[data-ready=true]');
    await page.waitForFunction(() => document.querySelectorAll('#usb-device option').length === 2);
    await page.selectOption('#usb-device', '/dev/hidraw8');
    // what each box allows is said before anything starts
    expect(await page.isHidden('[data-testid=usb-changes]')).toBe(true);
    await page.check('#usb-destructive');
    const changes = await page.locator('[data-testid=usb-changes] li').allTextContents();
    expect(changes.length).toBe(CHECKS.filter((c) => c.changesKey?.flag === '--destructive').length);
    expect(changes.join('\n')).toMatch(/fingers?/i);
    expect(changes.join('\n')).not.toMatch(/--allow-reset/);
    await page.check('#usb-replug');
    await page.fill('#usb-pin', '482916');
    // every status the page shows, as the person reads it
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const st = document.getElementById('usb-status')!;
      new MutationObserver(() => seen.push(st.textContent ?? '')).observe(st, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#usb-start');
    let path = '/dev/hidraw8';
    let replugs = 0;
    for (;;) {
      const text = String(await (await page.waitForFunction(() => {
        const st = document.getElementById('usb-status')!;
        return /^Unplug/.test(st.textContent ?? '') || st.dataset.kind === 'ok' || st.dataset.kind === 'error' ? st.textContent : false;
      }, undefined, { timeout: 120_000, polling: 50 })).jsonValue());
      if (!/^Unplug/.test(text)) break;
      expect(text).toMatch(/^Unplug usb:\/dev\/hidraw\d Example Vendor Example Key Bio .*and plug it back in \(the run waits up to 60 s\)\. Why: \S/);
      if (replugs === 0) await page.screenshot({ path: '/tmp/usb-replug-390.png' });
      // the person: out, power gone, back in at another path
      hid.unplug(path);
      loaded.key.powerCycle();
      path = path === '/dev/hidraw8' ? '/dev/hidraw9' : '/dev/hidraw8';
      hid.plug({ info: info(path), device: key });
      replugs++;
      await page.waitForFunction((t) => document.getElementById('usb-status')!.textContent !== t, text, { timeout: 60_000, polling: 50 });
    }
    const failing = await page.locator('[data-testid=checks] tr[data-status=fail]').allTextContents();
    expect(failing).toEqual([]);
    expect(await page.textContent('#usb-status')).toMatch(/^Done: PASS/);
    expect(replugs).toBeGreaterThanOrEqual(2);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.some((t) => /^Put a finger on the sensor/.test(t))).toBe(true);
    const rows = await page.locator('[data-testid=checks] tr[data-check]').evaluateAll((trs) => Object.fromEntries(trs.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-status')])));
    // the checks that need a replug or --destructive ran and passed
    for (const id of ['CTAP_POWER_CYCLE', 'CTAP_PIN_BLOCKING', 'CTAP_BIO_ENROLLMENT']) expect(rows[id], id).toBe('pass');
    const changed = await page.textContent('[data-testid=key-changes]');
    expect(changed).toMatch(/changed and put back: a finger enrolled/);
    expect(changed).toMatch(new RegExp(`power-cycled ${replugs} time\\(s\\) \\(person\\)`));
    await page.screenshot({ path: '/tmp/usb-destructive-390.png', fullPage: true });
    await context.close();
  }, 240_000);
});
