import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../runner/chromium.ts';
import { loadProfile } from '../../conformance/src/emulation/loadProfile.ts';
import { runWithSoftAuthenticator } from '../../conformance/src/run/runWithSoftAuthenticator.ts';
import { evaluateRun } from '../../conformance/src/checks/evaluateRun.ts';
import { renderHtml } from '../../conformance/src/report/renderHtml.ts';
import { midWordBreaks } from '../helpers/demoPage.ts';

/** The single-file HTML report, looked at in Chromium: it renders, runs nothing, shows hostile text as text. */
let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchChromium();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-html-'));
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const EVIL = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>Evil Key';

async function reportFor(profile: object) {
  const file = path.join(dir, `p${Math.random()}.json`);
  fs.writeFileSync(file, JSON.stringify(profile));
  const { key, entry, profile: p } = await loadProfile(file);
  const run = await runWithSoftAuthenticator(key, { rpId: 'vendor.example', origin: 'https://vendor.example', label: p.description, mds: { no: 1, nextUpdate: '2099-01-01', entry } });
  return evaluateRun(run);
}

describe('HTML report', () => {
  for (const [name, profile] of [
    ['passing', { description: 'Example Vendor Key', aaguid: 'e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5b', features: { hmacSecret: true, credProtect: true, transports: ['usb', 'nfc'] } }],
    ['failing', { description: EVIL, aaguid: 'e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5c', features: { rk: false } }],
  ] as const) {
    it(`${name} run: self-contained, inert, readable (screenshot saved)`, async () => {
      const report = await reportFor(profile);
      const html = renderHtml(report);
      expect(html).not.toMatch(/<script|<img|src=["']?http|href=["']?http|@import|url\(/i);
      // words, not emoji: without an emoji font those are empty boxes
      expect(html).not.toMatch(/\p{Extended_Pictographic}/u);
      const file = path.join(dir, `${name}.html`);
      fs.writeFileSync(file, html);
      const context = await browser.newContext();
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${file}`);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(await page.getAttribute('[data-verdict]', 'data-verdict')).toBe(report.verdict);
      expect(await page.locator('h1').textContent()).toBe(`fido2-harness report: ${profile.description}`);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      // a phone-width window: check IDs wrap at their underscores, never mid-word
      await page.setViewportSize({ width: 360, height: 800 });
      const breaks = await midWordBreaks(page, 'code.id');
      expect(breaks.codes).toBeGreaterThanOrEqual(report.outcomes.length);
      expect(breaks.bad).toEqual([]);
      fs.mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: `test-artifacts/html-report-${name}.png`, fullPage: true });
      await context.close();
    });
  }
});
