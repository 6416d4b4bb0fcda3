import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from '../helpers/e2eSetup.ts';
import { openWithVirtualKey, type VirtualAuthenticatorOptions } from '../../runner/chromium.ts';
import { press, setRegistrationForm, setSignInForm } from '../helpers/demoPage.ts';

/**
 * Real ceremonies: Debian's Chromium, CDP virtual authenticators, the built demo page,
 * the real server and SQLite file. Each test gets its own browser context and key.
 */
const env = useServerAndBrowser();

const open = (o: VirtualAuthenticatorOptions = {}) => openWithVirtualKey(env.browser, `${env.s.origin}/`, o);
const b64text = (b64: string) => Buffer.from(b64, 'base64url').toString();

describe('demo page with Chromium virtual authenticators', () => {
  it('ctap2.1 with resident key + UV: register, sign in with username, sign in without one; screenshot', async () => {
    const k = await open();
    await setRegistrationForm(k.page, { username: 'rk-user', residentKey: 'required', userVerification: 'required', attestation: 'direct' });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.credential).toMatchObject({ username: 'rk-user', fmt: 'packed', discoverable: true, aaguid: '01020304-0506-0708-0102-030405060708' });
    expect(reg.verify!.body.decoded.authenticatorData.flags).toMatchObject({ UP: true, UV: true, AT: true });
    // the decoded view shows the certificate chain summary Chromium sent
    expect(await k.page.textContent('[data-testid=decoded-view]')).toContain('OU=Authenticator Attestation');
    await k.page.waitForSelector('[data-testid=credential-row]');
    fs.mkdirSync('test-artifacts', { recursive: true });
    await k.page.screenshot({ path: 'test-artifacts/demo-after-registration.png', fullPage: true });

    await setSignInForm(k.page, { userVerification: 'required' });
    const named = await press(k.page, '#signin');
    expect(named.kind, named.status).toBe('ok');
    expect(named.verify!.body.decoded.authenticatorData.flags.UV).toBe(true);
    const discoverable = await press(k.page, '#signin-discoverable');
    expect(discoverable.kind, discoverable.status).toBe('ok');
    expect(discoverable.status).toContain('Signed in as rk-user');
    expect(discoverable.verify!.body.decoded.userHandle).toBe(reg.verify!.body.credential.userId);
    await k.context.close();
  });

  it('non-discoverable credential: credProps.rk false, sign-in needs the username', async () => {
    const k = await open({ hasResidentKey: false });
    await setRegistrationForm(k.page, { username: 'nd-user', residentKey: 'discouraged', credProps: true });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.decoded.clientExtensionResults.credProps).toEqual({ rk: false });
    expect(reg.verify!.body.credential.discoverable).toBe(false);
    expect((await press(k.page, '#signin')).kind).toBe('ok');
    const noName = await press(k.page, '#signin-discoverable');
    expect(noName.kind).toBe('error');
    expect(noName.status).toContain('NotAllowedError');
    await k.context.close();
  });

  it('u2f authenticator: fido-u2f attestation, sign in', async () => {
    const k = await open({ protocol: 'u2f', hasResidentKey: false, hasUserVerification: false });
    await setRegistrationForm(k.page, { username: 'u2f-user', residentKey: 'discouraged', userVerification: 'discouraged', attestation: 'direct' });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.credential.fmt).toBe('fido-u2f');
    expect(reg.verify!.body.credential.alg).toBe(-7);
    await setSignInForm(k.page, { userVerification: 'discouraged' });
    const auth = await press(k.page, '#signin');
    expect(auth.kind, auth.status).toBe('ok');
    await k.context.close();
  });

  for (const [name, alg] of [['EdDSA', -8], ['ES256', -7], ['RS256', -257], ['ML-DSA-44', -48]] as const) {
    it(`${name} credential`, async () => {
      const k = await open();
      await setRegistrationForm(k.page, { username: `alg-${name}`, algorithms: [alg] });
      const reg = await press(k.page, '#register');
      expect(reg.kind, reg.status).toBe('ok');
      expect(reg.verify!.body.credential.alg).toBe(alg);
      expect(reg.verify!.body.decoded.authenticatorData.publicKey.algName).toBe(name);
      expect((await press(k.page, '#signin')).kind).toBe('ok');
      await k.context.close();
    });
  }

  it('prf: enabled at create, results at get, stable for a salt and different across salts', async () => {
    const k = await open({ hasPrf: true });
    await setRegistrationForm(k.page, { username: 'prf-user', residentKey: 'required', userVerification: 'required', prf: true });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.decoded.clientExtensionResults.prf.enabled).toBe(true);
    await setSignInForm(k.page, { prf: 'salt one', userVerification: 'required' });
    const a = await press(k.page, '#signin');
    const b = await press(k.page, '#signin');
    await setSignInForm(k.page, { prf: 'salt two' });
    const c = await press(k.page, '#signin');
    const first = (r: typeof a) => r.verify!.body.decoded.clientExtensionResults.prf.results.first as string;
    expect(Buffer.from(first(a), 'base64url')).toHaveLength(32);
    expect(first(a)).toBe(first(b));
    expect(first(c)).not.toBe(first(a));
    await k.context.close();
  });

  it('hmacCreateSecret: hmac-secret in authData', async () => {
    const k = await open({ hasHmacSecret: true });
    await setRegistrationForm(k.page, { username: 'hmac-user', hmacCreateSecret: true });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.decoded.authenticatorData.extensions['hmac-secret']).toBe(true);
    expect(reg.verify!.body.decoded.clientExtensionResults.hmacCreateSecret).toBe(true);
    await k.context.close();
  });

  it('credProtect: the requested level appears in authData', async () => {
    // Chromium 156 quirk: its virtual authenticator implements credProtect only when
    // hasCredBlob is set (without it, enforce=true fails with NotAllowedError)
    const k = await open({ hasCredBlob: true });
    await setRegistrationForm(k.page, { username: 'cp-user', residentKey: 'required', userVerification: 'required', credProtect: 'userVerificationRequired', credProtectEnforce: true });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.decoded.authenticatorData.extensions.credProtect).toBe(3);
    await k.context.close();
  });

  it('largeBlob: supported at create, write then read back at get', async () => {
    const k = await open({ hasLargeBlob: true, ctap2Version: 'ctap2_1' });
    await setRegistrationForm(k.page, { username: 'lb-user', residentKey: 'required', userVerification: 'required', largeBlob: 'required' });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.decoded.clientExtensionResults.largeBlob).toEqual({ supported: true });
    await setSignInForm(k.page, { userVerification: 'required', largeBlob: 'write', largeBlobWrite: 'vendor <blob> & data' });
    const w = await press(k.page, '#signin');
    expect(w.kind, w.status).toBe('ok');
    expect(w.verify!.body.decoded.clientExtensionResults.largeBlob).toEqual({ written: true });
    await setSignInForm(k.page, { largeBlob: 'read' });
    const r = await press(k.page, '#signin');
    expect(b64text(r.verify!.body.decoded.clientExtensionResults.largeBlob.blob)).toBe('vendor <blob> & data');
    await k.context.close();
  });

  it('credBlob: stored at create, returned at get', async () => {
    const k = await open({ hasCredBlob: true, ctap2Version: 'ctap2_1' });
    await setRegistrationForm(k.page, { username: 'cb-user', residentKey: 'required', userVerification: 'required', credBlob: 'firmware-1.2.3' });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(reg.verify!.body.decoded.authenticatorData.extensions.credBlob).toBe(true);
    await setSignInForm(k.page, { getCredBlob: true, userVerification: 'required' });
    const a = await press(k.page, '#signin');
    expect(a.kind, a.status).toBe('ok');
    expect(b64text(a.verify!.body.decoded.authenticatorData.extensions.credBlob.base64url)).toBe('firmware-1.2.3');
    await k.context.close();
  });

  it('minPinLength: reported in authData', async () => {
    const k = await open({ hasMinPinLength: true, ctap2Version: 'ctap2_1' });
    await setRegistrationForm(k.page, { username: 'mpl-user', minPinLength: true });
    const reg = await press(k.page, '#register');
    expect(reg.kind, reg.status).toBe('ok');
    expect(typeof reg.verify!.body.decoded.authenticatorData.extensions.minPinLength).toBe('number');
    await k.context.close();
  });

  it('the page is served with a CSP and renders hostile names as text', async () => {
    const k = await open();
    const res = await k.page.goto(`${env.s.origin}/`);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    await k.page.waitForSelector('body[data-ready=true]');
    const evil = '<img src=x onerror="window.__pwned=1">';
    await setRegistrationForm(k.page, { username: evil });
    expect((await press(k.page, '#register')).kind).toBe('ok');
    const row = k.page.locator('[data-testid=credential-row]', { hasText: 'onerror' });
    expect(await row.locator('td').first().textContent()).toBe(evil);
    expect(await k.page.locator('[data-testid=credential-list] img').count()).toBe(0);
    expect(await k.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await k.context.close();
  });
});
