import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, openWithVirtualKey } from '../../runner/chromium.ts';
import { press, setRegistrationForm } from '../helpers/demoPage.ts';
import { loadProfile } from '../../conformance/src/emulation/loadProfile.ts';
import { runWithSoftAuthenticator } from '../../conformance/src/run/runWithSoftAuthenticator.ts';
import { evaluateRun } from '../../conformance/src/checks/evaluateRun.ts';
import { renderHtml } from '../../conformance/src/report/renderHtml.ts';

/** A 390 px phone: no page wider than the screen, and the answer to a button where the person can see it. */
let s: TestServer;
let browser: Browser;
beforeAll(async () => {
  s = await startTestServer({ listen: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const pageWidth = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth);

describe('on a 390 px phone', () => {
  it('the demo page after a registration: as wide as the screen, the result in view, the focus on the button pressed', async () => {
    const k = await openWithVirtualKey(browser, `${s.origin}/`, {});
    await k.page.setViewportSize({ width: 390, height: 800 });
    await setRegistrationForm(k.page, { username: 'phone-user' });
    await k.page.focus('#register');
    const r = await press(k.page, '#register');
    expect(r.kind, r.status).toBe('ok');
    expect(await pageWidth(k.page)).toBeLessThanOrEqual(390);
    expect(await k.page.evaluate(() => { const b = document.getElementById('status')!.getBoundingClientRect(); return b.top >= 0 && b.bottom <= window.innerHeight; })).toBe(true);
    expect(await k.page.evaluate(() => document.activeElement?.id)).toBe('register');
    // the COSE key table: each label (-1, -2, -3), name and meaning (ES256) on one line, level with its row
    const rows = await k.page.locator('[data-testid=cose-key] tr').evaluateAll((trs) => trs.map((tr) => {
      const [label, name, , meaning] = [...tr.children] as HTMLElement[];
      const lines = (e: HTMLElement) => { const r = document.createRange(); r.selectNodeContents(e); return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; };
      return { label: label!.textContent, labelLines: lines(label!), nameLines: lines(name!), meaningLines: meaning!.textContent ? lines(meaning!) : 1, meaningTop: Math.round(meaning!.getBoundingClientRect().top), rowTop: Math.round(label!.getBoundingClientRect().top) };
    }));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) expect(r, JSON.stringify(r)).toMatchObject({ labelLines: 1, nameLines: 1, meaningLines: 1, meaningTop: r.rowTop });
    // a refusal before any ceremony does not leave "Waiting for the key" behind
    await setRegistrationForm(k.page, { username: 'x'.repeat(300) });
    await press(k.page, '#register');
    expect(await k.page.locator('[data-testid=decoded-waiting]').count()).toBe(0);
    await k.context.close();
  });

  it('the guided page and the HTML report: as wide as the screen (wide tables scroll in their own box)', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await page.goto(`${s.origin}/run.html`);
    await page.waitForSelector('body[data-ready=true]');
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    const loaded = await loadProfile('fixtures/example-compliant-profile.json');
    const report = evaluateRun(await runWithSoftAuthenticator(loaded.key, { rpId: 'localhost', origin: s.origin, label: 'phone', mds: { no: 1, nextUpdate: '2099-01-01', entry: loaded.entry } }));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fh-phone-')), 'r.html');
    fs.writeFileSync(file, renderHtml(report));
    await page.goto(`file://${file}`);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    expect(await page.textContent('body')).toMatch(/via the software key/);
    await page.close();
  });
});
