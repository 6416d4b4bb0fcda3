/**
 * fido2-harness for a vendor's own Playwright suite (package subpath "fido2-harness/playwright").
 *
 *   import { test as base, expect } from '@playwright/test';
 *   import { conformanceFixture } from 'fido2-harness/playwright';
 *   const test = conformanceFixture(base);
 *   test('our key model meets Microsoft\'s criteria', async ({ page, fido2Conformance }) => {
 *     await page.goto('https://login.vendor.test/');            // any page at the RP's origin
 *     const { report } = await fido2Conformance({ label: 'Vendor Key 5', mds: entry });
 *     expect(report.verdict).toBe('pass');
 *   });
 *
 * The plan's ceremonies run in that page through the browser's WebAuthn API, so whatever
 * authenticator the browser has (a CDP virtual one, a software one injected by the page, a
 * physical key on a desk) is the one tested. The report is the same as `fido2-harness check`.
 */
import type { Page } from 'playwright-core';
import type { VirtualKey } from './chromium.ts';
import { runPlanInPage } from './runVirtual.ts';
import { evaluateRun, type RunReport, type RunEvidence, type MetadataEntry, type CheckArea } from '../conformance/src/index.ts';

export interface ConformanceOptions {
  label?: string;
  /** the key's MDS entry (e.g. from `fido2-harness mds show --json`), for the Entra metadata checks */
  mds?: { no: number; nextUpdate: string; entry?: MetadataEntry };
  areas?: CheckArea[];
  /** a CDP virtual authenticator, so the runner can stand in for the account chooser */
  virtualKey?: VirtualKey;
}

export async function runConformanceOnPage(page: Page, o: ConformanceOptions = {}): Promise<{ run: RunEvidence; report: RunReport }> {
  const run = await runPlanInPage(page, { key: o.virtualKey, subject: { label: o.label ?? 'Authenticator under test', via: o.virtualKey ? 'virtual' : 'physical' } });
  run.mds = o.mds;
  return { run, report: evaluateRun(run, { areas: o.areas }) };
}

/** Minimal shape of Playwright Test's `test` that extend() needs (no runtime dependency on it). */
interface Extendable<T> {
  extend<U>(fixtures: Record<string, unknown>): T & U;
}

export type ConformanceFixture = (o?: ConformanceOptions) => Promise<{ run: RunEvidence; report: RunReport }>;

/** Adds a `fido2Conformance` fixture bound to the test's `page`. */
export function conformanceFixture<T>(base: Extendable<T>) {
  return base.extend<{ fido2Conformance: ConformanceFixture }>({
    fido2Conformance: async ({ page }: { page: Page }, use: (f: ConformanceFixture) => Promise<void>) => {
      await use((o) => runConformanceOnPage(page, o));
    },
  });
}
