import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from '../helpers/e2eSetup.ts';
import { openWithVirtualKey } from '../../runner/chromium.ts';
import { withOnlyAccount } from '../../runner/runVirtual.ts';
import { runVirtualMatrix } from '../../runner/checkVirtual.ts';
import { VIRTUAL_PROFILES } from '../../runner/virtualProfiles.ts';
import { CEREMONY_PLAN } from '../../conformance/src/checks/ceremonyPlan.ts';

/**
 * The guided run, clicked through the page as a person would (a Chromium virtual key stands
 * in for the physical one), gives the same verdict on every check as the CLI's virtual run
 * of the same profile.
 */
const env = useServerAndBrowser();

describe('guided conformance run in the page', () => {
  it('matches check --virtual for the same profile, check by check', async () => {
    const profile = VIRTUAL_PROFILES.find((p) => p.name === 'ctap2_1-full')!;
    const k = await openWithVirtualKey(env.browser, `${env.s.origin}/run.html`, profile.options);
    await k.page.fill('#label', 'Chromium virtual key <b>ctap2_1</b>');
    await k.page.fill('#firmware', '156');
    await k.page.click('#start');
    await k.page.waitForSelector('.steps li[data-step=register-basic]');
    for (const step of CEREMONY_PLAN) {
      const click = async () => {
        const before = await k.page.locator('#steps li.done').count();
        await k.page.click('#next');
        await k.page.waitForFunction((n) => document.querySelectorAll('#steps li.done').length > n, before);
      };
      // the person picks the account in the browser's chooser; CDP stands in for that choice
      if (step.kind === 'authentication' && step.account) await withOnlyAccount(k, step.account, click);
      else await click();
    }
    await k.page.waitForSelector('#verdict[data-verdict=fail], #verdict[data-verdict=pass], #verdict[data-verdict=incomplete]');
    const page = Object.fromEntries(await k.page.locator('[data-testid=checks] tr[data-check]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-status')])));
    fs.mkdirSync('test-artifacts', { recursive: true });
    await k.page.screenshot({ path: 'test-artifacts/guided-run.png', fullPage: true });
    expect(await k.page.locator('h1').first().textContent()).toContain('conformance run');
    expect(await k.page.locator('[data-testid=runs] td', { hasText: 'Chromium virtual key <b>ctap2_1</b>' }).count()).toBe(1);
    await k.context.close();

    const [cli] = await runVirtualMatrix([profile]);
    const fromCli = Object.fromEntries(cli!.report.outcomes.map((o) => [o.id, o.status]));
    expect(page).toEqual(fromCli);
    for (const id of profile.expect.pass) expect(page[id], id).toBe('pass');
  }, 120_000);
});
