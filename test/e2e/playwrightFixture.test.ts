import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from '../helpers/e2eSetup.ts';
import { openWithVirtualKey } from '../../runner/chromium.ts';
import { conformanceFixture, runConformanceOnPage, type ConformanceFixture } from '../../runner/playwright.ts';
import { VIRTUAL_PROFILES } from '../../runner/virtualProfiles.ts';

/** The exported Playwright helper, on a page of "the vendor's" (our demo page stands in). */
const env = useServerAndBrowser();

describe('fido2-harness/playwright', () => {
  it('runs the catalogue in whatever page the suite has open', async () => {
    const k = await openWithVirtualKey(env.browser, `${env.s.origin}/`, VIRTUAL_PROFILES[0]!.options);
    const { run, report } = await runConformanceOnPage(k.page, { label: 'vendor page run', virtualKey: k, areas: ['windows', 'hygiene'] });
    expect(run.origin).toBe(env.s.origin);
    expect(run.ceremonies.every((c) => c.response)).toBe(true);
    expect(report.verdict).toBe('pass');
    await k.context.close();
  }, 60_000);

  it('conformanceFixture adds a fido2Conformance fixture bound to the test\'s page', async () => {
    let registered: Record<string, unknown> = {};
    // Playwright Test's own `test`, with extend() recording the fixtures it is given (the real
    // thing is exercised by the consumer test, which runs Playwright Test on the installed package)
    const { test: base } = await import('@playwright/test');
    const spy = Object.assign(Object.create(base), { extend: (f: Record<string, unknown>) => ((registered = f), { extended: true }) });
    expect(conformanceFixture(spy)).toEqual({ extended: true });
    const k = await openWithVirtualKey(env.browser, `${env.s.origin}/`, VIRTUAL_PROFILES[0]!.options);
    let fixture: ConformanceFixture | undefined;
    await (registered.fido2Conformance as (args: { page: unknown }, use: (f: ConformanceFixture) => Promise<void>) => Promise<void>)({ page: k.page }, async (f) => {
      fixture = f;
    });
    const { report } = await fixture!({ label: 'through the fixture', areas: ['hygiene'] });
    expect(report.outcomes.every((o) => o.area === 'hygiene')).toBe(true);
    expect(report.run.subject.label).toBe('through the fixture');
    await k.context.close();
  }, 60_000);
});
