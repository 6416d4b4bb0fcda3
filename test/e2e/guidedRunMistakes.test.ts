import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from '../helpers/e2eSetup.ts';
import { midWordBreaks } from '../helpers/demoPage.ts';
import { openWithVirtualKey, type VirtualKey } from '../../runner/chromium.ts';
import { withOnlyAccount } from '../../runner/runVirtual.ts';
import { VIRTUAL_PROFILES } from '../../runner/virtualProfiles.ts';
import { CEREMONY_PLAN } from '../../conformance/src/checks/ceremonyPlan.ts';

/**
 * The guided page as a person uses it, slips included: a run half done shows what is still to
 * come as pending (not as failures with fixes), the wrong account picked in the chooser is
 * said so and the step stays open, a cancelled ceremony records nothing, a reload resumes the
 * run, a done step can be redone, starting over asks first, and the diff of two runs reads
 * older to newer with each side named.
 */
const env = useServerAndBrowser();
const profile = VIRTUAL_PROFILES.find((p) => p.name === 'ctap2_1-full')!;

const doneCount = (page: Page) => page.locator('#steps li.done').count();
const statusText = async (page: Page) => (await page.locator('#run-status').textContent()) ?? '';

/** press the step button and wait for the server's answer (the status leaves "busy") */
async function press(page: Page) {
  await page.click('#next');
  await page.waitForFunction(() => document.querySelector('#run-status')?.getAttribute('data-kind') !== 'busy');
}

/** the plan's step `i` done as the person should: the chooser picks the account the step names */
async function doStepRight(k: VirtualKey, i: number) {
  const step = CEREMONY_PLAN[i]!;
  const before = await doneCount(k.page);
  const go = () => press(k.page);
  if (step.kind === 'authentication' && step.account) await withOnlyAccount(k, step.account, go);
  else await go();
  expect(await doneCount(k.page), `${step.step}: ${await statusText(k.page)}`).toBe(before + 1);
}

async function startRun(k: VirtualKey, firmware: string) {
  await k.page.fill('#label', 'Slip test key');
  await k.page.fill('#firmware', firmware);
  await k.page.click('#start');
  await k.page.waitForSelector('#steps li[data-step=register-basic].current');
}

describe('guided run: the mistakes a person makes', () => {
  it('pending checks, wrong account, cancel, reload, redo, confirm before starting over', async () => {
    const k = await openWithVirtualKey(env.browser, `${env.s.origin}/run.html`, profile.options);
    await startRun(k, '1.0');
    await doStepRight(k, 0);

    // half a run: checks about steps not run yet are pending, and no pending row carries a fix
    const shown = await k.page.locator('[data-testid=checks] tr[data-check]').evaluateAll((rows) => rows.map((r) => ({ id: r.getAttribute('data-check'), shown: r.getAttribute('data-shown'), text: r.textContent ?? '' })));
    const pending = shown.filter((r) => r.shown === 'pending');
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.map((r) => r.id)).toContain('EXT_HMAC_SECRET_OR_PRF');
    for (const r of pending) expect(r.text, r.id!).not.toContain('fix:');
    // on a phone-width screen the check IDs wrap at their underscores, never mid-word
    await k.page.setViewportSize({ width: 380, height: 800 });
    const breaks = await midWordBreaks(k.page, '[data-testid=checks] code');
    expect(breaks.codes).toBe(shown.length);
    expect(breaks.bad).toEqual([]);
    await k.page.setViewportSize({ width: 1280, height: 800 });
    expect(await k.page.locator('#verdict').getAttribute('data-verdict')).toBe('running');
    // no MDS entry for Chromium's virtual key: said once, with what to load
    expect(await k.page.locator('[data-testid=no-metadata]').textContent()).toContain('draft statement');

    // a reload in the middle resumes the run where it was
    await doStepRight(k, 1);
    await doStepRight(k, 2);
    await k.page.reload();
    await k.page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('resumed'));
    expect(await statusText(k.page)).toContain('resumed at step 4 of');
    expect(await doneCount(k.page)).toBe(3);

    // starting over while a run is in progress asks first; dismissing keeps the run
    k.page.once('dialog', (d) => void d.dismiss());
    await k.page.click('#start');
    expect(await doneCount(k.page)).toBe(3);
    expect(await k.page.locator('#next').textContent()).toContain('Do step 4');

    // cancel: with no presence the ceremony waits; Cancel records nothing
    await k.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: k.authenticatorId, enabled: false });
    await k.page.click('#next');
    await k.page.waitForSelector('#cancel:not([hidden])');
    await k.page.click('#cancel');
    await k.page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('cancelled'));
    expect(await statusText(k.page)).toContain('nothing was recorded');
    expect(await doneCount(k.page)).toBe(3);
    expect(await k.page.locator('#cancel').isHidden()).toBe(true);
    await k.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: k.authenticatorId, enabled: true });

    for (let i = 3; i < CEREMONY_PLAN.length; i++) {
      const step = CEREMONY_PLAN[i]!;
      // the discoverable sign-in answered with the other account: named, and the step stays open
      if (step.kind === 'authentication' && step.account && !step.allowAccount) {
        const wrong = step.account === 1 ? 2 : 1;
        const before = await doneCount(k.page);
        await withOnlyAccount(k, wrong, () => press(k.page));
        expect(await statusText(k.page)).toContain(`picked account ${wrong}`);
        expect(await statusText(k.page)).toContain(`pick account-${step.account}`);
        expect(await doneCount(k.page)).toBe(before);
        expect(await k.page.locator(`#steps li[data-step=${step.step}]`).getAttribute('class')).toBe('current');
      }
      await doStepRight(k, i);
    }
    await k.page.waitForSelector('#verdict[data-verdict=pass], #verdict[data-verdict=fail], #verdict[data-verdict=incomplete]');
    expect(await k.page.locator('[data-shown=pending]').count()).toBe(0);
    await k.context.close();
  }, 120_000);

  it('redo replaces a step; the diff of two runs reads older → newer whichever is ticked first', async () => {
    // the server's clock stands still unless moved: this run starts an hour after the first
    env.s.clock.now += 3_600_000;
    const k = await openWithVirtualKey(env.browser, `${env.s.origin}/run.html`, profile.options);
    await startRun(k, '2.0');
    await doStepRight(k, 0);
    await doStepRight(k, 1);
    await k.page.click('[data-redo=register-basic]');
    await k.page.waitForFunction(() => document.querySelector('#run-status')?.getAttribute('data-kind') !== 'busy');
    expect(await statusText(k.page)).toContain('Step register-basic done');
    expect(await doneCount(k.page)).toBe(2);
    expect(await k.page.locator('#next').textContent()).toContain('Do step 3');
    for (let i = 2; i < CEREMONY_PLAN.length; i++) await doStepRight(k, i);
    await k.page.waitForSelector('#verdict[data-verdict=pass], #verdict[data-verdict=fail], #verdict[data-verdict=incomplete]');
    // a finished run offers no redo
    expect(await k.page.locator('[data-redo]:visible').count()).toBe(0);

    // the two runs of this file: firmware 1.0 (older) and 2.0 (newer); tick the newer first
    await k.page.waitForSelector('[data-testid=runs] tr[data-run]');
    const rows = await k.page.locator('[data-testid=runs] tr[data-run]').evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-run')!, firmware: tr.children[2]!.textContent })));
    const newer = rows.find((r) => r.firmware === '2.0')!;
    const older = rows.find((r) => r.firmware === '1.0')!;
    await k.page.check(`.run-pick[value="${newer.id}"]`);
    await k.page.check(`.run-pick[value="${older.id}"]`);
    await k.page.click('#diff');
    const sides = (await k.page.locator('[data-testid=diff-sides]').textContent()) ?? '';
    expect(sides).toMatch(/^a: Slip test key firmware 1\.0 .* → b: Slip test key firmware 2\.0 /);
    await k.context.close();
  }, 120_000);
});
