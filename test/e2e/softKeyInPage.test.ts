import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium } from '../../runner/chromium.ts';
import { installSoftAuthenticator } from '../../runner/softInPage.ts';
import { press, setRegistrationForm } from '../helpers/demoPage.ts';
import { loadProfile, type LoadedProfile } from '../../conformance/src/emulation/loadProfile.ts';
import { runWithSoftAuthenticator } from '../../conformance/src/run/runWithSoftAuthenticator.ts';
import { evaluateRun } from '../../conformance/src/checks/evaluateRun.ts';
import { CEREMONY_PLAN, userIdFor } from '../../conformance/src/checks/ceremonyPlan.ts';
import { TestMdsSigner } from '../../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../../conformance/src/mds/MetadataBlob.ts';

/**
 * The software authenticator in place of navigator.credentials in the real pages: the demo
 * page and the guided run use it like a physical key, and the same profile gives the same
 * verdicts through the page as in Node.
 */
let s: TestServer;
let browser: Browser;
let loaded: LoadedProfile;
beforeAll(async () => {
  loaded = await loadProfile('fixtures/example-compliant-profile.json');
  const signer = await TestMdsSigner.create();
  const metadata = loadMetadataBlob(await signer.blob({ no: 1, nextUpdate: '2099-01-01', entries: [loaded.entry] }), [new crypto.X509Certificate(signer.rootDer)]);
  s = await startTestServer({ listen: true, metadata });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function pageWithSoftKey(path: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const controller = await installSoftAuthenticator(page, loaded.key);
  await page.goto(`${s.origin}${path}`);
  await page.waitForSelector('body[data-ready=true]');
  return { context, page, controller };
}

describe('software authenticator in the page', () => {
  it('the demo page registers and signs in with it; the server sees the profile\'s AAGUID and trusts its chain through MDS', async () => {
    const { context, page } = await pageWithSoftKey('/');
    await setRegistrationForm(page, { username: 'soft-user', residentKey: 'required', userVerification: 'required', attestation: 'direct', prf: true });
    const reg = await press(page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.credential).toMatchObject({ aaguid: loaded.profile.aaguid, fmt: 'packed', authenticator: { name: loaded.profile.description } });
    expect(reg.verify!.body.decoded.attestation.trust).toBe('trusted');
    expect(reg.verify!.body.decoded.clientExtensionResults.prf).toEqual({ enabled: true });
    const auth = await press(page, '#signin-discoverable');
    expect(auth.kind, auth.status).toBe('ok');
    await context.close();
  }, 60_000);

  it('the guided run through the page gives the Node run\'s verdict on every check', async () => {
    const { context, page, controller } = await pageWithSoftKey('/run.html');
    await page.fill('#label', loaded.profile.description);
    await page.click('#start');
    await page.waitForSelector('.steps li[data-step=register-basic]');
    for (const step of CEREMONY_PLAN) {
      if (step.kind === 'authentication' && step.account) {
        const cred = [...loaded.key.credentials.values()].reverse().find((c) => Buffer.from(c.userHandle).toString('base64url') === userIdFor(step.account!));
        controller.nextChoice = cred && Buffer.from(cred.id).toString('base64url');
      }
      const before = await page.locator('#steps li.done').count();
      await page.click('#next');
      await page.waitForFunction((n) => document.querySelectorAll('#steps li.done').length > n, before);
    }
    await page.waitForSelector('#verdict[data-verdict=pass], #verdict[data-verdict=fail]');
    const inPage = Object.fromEntries(await page.locator('[data-testid=checks] tr[data-check]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-status')])));
    expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('pass');
    await context.close();

    const fresh = await loadProfile('fixtures/example-compliant-profile.json');
    const node = evaluateRun(await runWithSoftAuthenticator(fresh.key, { rpId: 'localhost', origin: s.origin, label: 'node', mds: { no: 1, nextUpdate: '2099-01-01', entry: fresh.entry } }));
    // the page drives the key as a browser does: the ctap area (the key's own CTAP answers) is the Node run's alone
    expect(inPage).toEqual(Object.fromEntries(node.outcomes.filter((o) => o.area !== 'ctap').map((o) => [o.id, o.status])));
    expect(node.outcomes.filter((o) => o.area === 'ctap' && o.status === 'fail')).toEqual([]);
  }, 120_000);
});
