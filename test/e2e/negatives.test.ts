import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from '../helpers/e2eSetup.ts';
import { openWithVirtualKey, type VirtualKey } from '../../runner/chromium.ts';
import { press, setRegistrationForm, setSignInForm } from '../helpers/demoPage.ts';

/**
 * The RP's refusals, driven through a real browser: CDP makes the virtual authenticator
 * misbehave, or the test tampers with what travels between page and server.
 */
const env = useServerAndBrowser();

async function registered(username: string, o: Parameters<typeof openWithVirtualKey>[2] = {}): Promise<VirtualKey> {
  const k = await openWithVirtualKey(env.browser, `${env.s.origin}/`, o);
  await setRegistrationForm(k.page, { username, residentKey: 'required', userVerification: 'required' });
  const r = await press(k.page, '#register');
  expect(r.kind, r.status).toBe('ok');
  return k;
}

function rejectedWith(r: Awaited<ReturnType<typeof press>>, code: string) {
  expect(r.kind, r.status).toBe('error');
  expect(r.verify?.status).toBe(422);
  expect(r.verify?.body.error.code).toBe(code);
  expect(r.status).toContain(code);
}

describe('negative ceremonies in the browser', () => {
  it('bogus signature (CDP isBogusSignature)', async () => {
    const k = await registered('bogus');
    await k.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: k.authenticatorId, isBogusSignature: true });
    rejectedWith(await press(k.page, '#signin'), 'SIGNATURE');
    await k.context.close();
  });

  it('UP cleared (CDP isBadUP)', async () => {
    const k = await registered('badup');
    await k.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: k.authenticatorId, isBadUP: true });
    rejectedWith(await press(k.page, '#signin'), 'FLAG_UP');
    await k.context.close();
  });

  it('UV cleared when the RP required it (CDP isBadUV)', async () => {
    const k = await registered('baduv');
    await k.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: k.authenticatorId, isBadUV: true });
    await setSignInForm(k.page, { userVerification: 'required' });
    const r = await press(k.page, '#signin');
    rejectedWith(r, 'FLAG_UV');
    expect(r.status).toContain('Next step: The key did not verify you');
    await k.context.close();
  });

  it('counter regression (credential re-added with a lower signCount)', async () => {
    const k = await registered('counter');
    expect((await press(k.page, '#signin')).kind).toBe('ok');
    expect((await press(k.page, '#signin')).kind).toBe('ok');
    const { credentials } = await k.cdp.send('WebAuthn.getCredentials', { authenticatorId: k.authenticatorId });
    const c = credentials[0]!;
    expect(c.signCount).toBeGreaterThan(1);
    await k.cdp.send('WebAuthn.removeCredential', { authenticatorId: k.authenticatorId, credentialId: c.credentialId });
    await k.cdp.send('WebAuthn.addCredential', { authenticatorId: k.authenticatorId, credential: { ...c, signCount: 0 } });
    rejectedWith(await press(k.page, '#signin'), 'SIGN_COUNT');
    const id = Buffer.from(c.credentialId, 'base64').toString('base64url');
    expect((await env.s.store.getCredential(id))!.counterRegressions).toBe(1);
    await k.page.click('#refresh');
    await k.page.waitForSelector('text=1 regression');
    await k.context.close();
  });

  it('replayed response: the same verify body posted twice', async () => {
    const k = await registered('replay');
    let body = '';
    k.page.on('request', (r) => {
      if (r.url().endsWith('/api/authentication/verify')) body = r.postData() ?? '';
    });
    expect((await press(k.page, '#signin')).kind).toBe('ok');
    const again = await k.page.evaluate(async (b) => {
      const r = await fetch('/api/authentication/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
      return { status: r.status, body: await r.json() };
    }, body);
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('CHALLENGE_UNKNOWN');
    await k.context.close();
  });

  it('expired challenge: the clock passes the TTL between options and verify', async () => {
    const k = await registered('expired');
    await k.page.route('**/api/authentication/verify', async (route) => {
      env.s.clock.now += env.s.config.challengeTtlMs + 1000;
      await route.continue();
    });
    rejectedWith(await press(k.page, '#signin'), 'CHALLENGE_EXPIRED');
    await k.context.close();
  });

  it('wrong origin: the page runs at an origin the RP does not accept', async () => {
    const k = await registered('origin');
    const saved = [...env.s.config.origins];
    env.s.config.origins.splice(0, env.s.config.origins.length, 'http://localhost:1');
    try {
      rejectedWith(await press(k.page, '#signin'), 'CLIENT_DATA_ORIGIN');
    } finally {
      env.s.config.origins.splice(0, env.s.config.origins.length, ...saved);
    }
    await k.context.close();
  });

  it('wrong RP ID: the browser signs for a.localhost, the RP is localhost', async () => {
    const port = new URL(env.s.origin).port;
    const sub = `http://a.localhost:${port}`;
    env.s.config.origins.push(sub);
    try {
      const k = await openWithVirtualKey(env.browser, `${sub}/`, {});
      await k.page.route('**/api/registration/options', async (route) => {
        // Playwright fetches from Node, which does not resolve *.localhost as Chromium does
        const res = await route.fetch({ url: route.request().url().replace('//a.localhost:', '//localhost:') });
        const json = await res.json();
        await route.fulfill({ response: res, json: { ...json, rp: { ...json.rp, id: 'a.localhost' } } });
      });
      await setRegistrationForm(k.page, { username: 'rpid' });
      rejectedWith(await press(k.page, '#register'), 'RP_ID_HASH');
      await k.context.close();
    } finally {
      env.s.config.origins.pop();
    }
  });

  it('unknown credential: deleted on the server, still on the key', async () => {
    const k = await registered('deleted');
    await k.page.locator('[data-testid=credential-row]', { hasText: 'deleted' }).locator('button.danger').click();
    await k.page.waitForSelector('text=Credential deleted');
    rejectedWith(await press(k.page, '#signin-discoverable'), 'CREDENTIAL_UNKNOWN');
    await k.context.close();
  });

  it('InvalidStateError explained when the key is already registered', async () => {
    const k = await registered('twice');
    await setRegistrationForm(k.page, { excludeCredentials: true });
    const r = await press(k.page, '#register');
    expect(r.kind).toBe('error');
    expect(r.status).toContain('already holds a credential for this account');
    await k.context.close();
  });
});
