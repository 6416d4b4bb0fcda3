/**
 * fido2-harness for a vendor's own Playwright suite (package subpath "fido2-harness/playwright").
 *
 *   import { test as base, expect } from '@playwright/test';
 *   import { conformanceFixture, attachVirtualAuthenticator } from 'fido2-harness/playwright';
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
 * @playwright/test is an optional peer dependency: only its types are used here.
 */
import type { Page } from 'playwright-core';
import type { TestType, PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions } from '@playwright/test';
import type { VirtualKey } from './chromium.ts';
import { runPlanInPage } from './runVirtual.ts';
import { evaluateRun, renderReports, type RunReport, type RunEvidence, type MetadataEntry, type CheckArea, type ReportFormat, type Shard } from '../conformance/src/index.ts';

export { attachVirtualAuthenticator, type VirtualKey, type VirtualAuthenticatorOptions } from './chromium.ts';

export interface ConformanceOptions {
  label?: string;
  /** the key's MDS entry (e.g. from `fido2-harness mds show --json`), for the Entra metadata checks */
  mds?: { no: number; nextUpdate: string; entry?: MetadataEntry };
  areas?: CheckArea[];
  /**
   * one slice of the catalogue, to split one key's checks over machines ({ index: 2, count: 3 });
   * join the saved JSON reports with `fido2-harness report merge`. (Playwright Test's own --shard
   * splits the tests, i.e. the keys: each test's report stands on its own.)
   */
  shard?: Shard;
  /** a CDP virtual authenticator, so the runner can stand in for the account chooser */
  virtualKey?: VirtualKey;
}

export interface ConformanceResult {
  run: RunEvidence;
  report: RunReport;
  /** the report in any format of the CLI (json, junit, md, html, text), e.g. for testInfo.attach */
  render(format: ReportFormat): string;
}

export async function runConformanceOnPage(page: Page, o: ConformanceOptions = {}): Promise<ConformanceResult> {
  const run = await runPlanInPage(page, { key: o.virtualKey, subject: { label: o.label ?? 'Authenticator under test', via: o.virtualKey ? 'virtual' : 'physical' } });
  run.mds = o.mds;
  const report = evaluateRun(run, { areas: o.areas, shard: o.shard });
  return { run, report, render: (format) => renderReports([report], format, { wrap: false }) };
}

export type ConformanceFixture = (o?: ConformanceOptions) => Promise<ConformanceResult>;

type BaseTest = TestType<PlaywrightTestArgs & PlaywrightTestOptions, PlaywrightWorkerArgs & PlaywrightWorkerOptions>;

/**
 * Adds a `fido2Conformance` fixture bound to the test's `page` to Playwright Test's `test` (or to
 * a `test` the suite already extended: its own fixtures stay).
 */
export function conformanceFixture<T extends PlaywrightTestArgs & PlaywrightTestOptions, W extends PlaywrightWorkerArgs & PlaywrightWorkerOptions>(base: TestType<T, W>): TestType<T & { fido2Conformance: ConformanceFixture }, W> {
  const extended = (base as unknown as BaseTest).extend<{ fido2Conformance: ConformanceFixture }>({
    fido2Conformance: async ({ page }, use) => {
      await use((o) => runConformanceOnPage(page as unknown as Page, o));
    },
  });
  return extended as unknown as TestType<T & { fido2Conformance: ConformanceFixture }, W>;
}
