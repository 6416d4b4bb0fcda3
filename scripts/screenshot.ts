/**
 * npm run screenshot: regenerates docs/demo-page.png, the README's picture of the demo page
 * after a registration and a sign-in with a Chromium virtual authenticator (prf + credBlob).
 */
import crypto from 'node:crypto';
import { startTestServer } from '../test/helpers/testServer.ts';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../conformance/src/mds/MetadataBlob.ts';
import { launchChromium, openWithVirtualKey } from '../runner/chromium.ts';
import { press, setRegistrationForm, setSignInForm } from '../test/helpers/demoPage.ts';

// a synthetic MDS entry for Chromium's fixed virtual-authenticator AAGUID, so the page shows
// what a vendor sees with a listed key (name, status) — test data, not FIDO metadata
const signer = await TestMdsSigner.create();
const entry = compliantEntry('01020304-0506-0708-0102-030405060708', signer.rootPem, 'Chromium virtual authenticator (synthetic MDS entry)');
const metadata = loadMetadataBlob(await signer.blob({ no: 1, nextUpdate: '2099-01-01', entries: [entry] }), [new crypto.X509Certificate(signer.rootDer)]);
const s = await startTestServer({ listen: true, metadata });
const browser = await launchChromium();
try {
  const k = await openWithVirtualKey(browser, `${s.origin}/`, { hasPrf: true });
  await k.page.setViewportSize({ width: 1280, height: 900 });
  await setRegistrationForm(k.page, { username: 'alice@example.com', residentKey: 'required', userVerification: 'required', prf: true });
  const r = await press(k.page, '#register');
  if (r.kind !== 'ok') throw new Error(r.status);
  await k.page.screenshot({ path: 'docs/demo-page.png', fullPage: true });
  await setSignInForm(k.page, { prf: 'vault key', userVerification: 'required' });
  await press(k.page, '#signin-discoverable');
  await k.page.screenshot({ path: 'docs/demo-page-signin.png', fullPage: true });
  console.log('wrote docs/demo-page.png and docs/demo-page-signin.png');
} finally {
  await browser.close();
  await s.close();
}

// the guided page's "Test over USB" at the end of a run: the server drives a key behind a fake
// node-hid (the software key with the compliant profile; no USB here)
{
  const { loadProfile } = await import('../conformance/src/emulation/loadProfile.ts');
  const { fakeNodeHid } = await import('../test/helpers/fakeNodeHid.ts');
  const { withDraftStatements, FIDO_USAGE_PAGE } = await import('../conformance/src/index.ts');
  const loaded = await loadProfile('fixtures/example-compliant-profile.json');
  const hid = fakeNodeHid([{ info: { path: '/dev/hidraw5', vendorId: 0x1ea8, productId: 0xf1d0, manufacturer: 'Example Vendor', product: 'Example Key NFC', usagePage: FIDO_USAGE_PAGE, usage: 1 }, device: loaded.key.server }]);
  const u = await startTestServer({ listen: true, metadata: withDraftStatements(undefined, [loaded.entry]), nodeHid: async () => hid });
  const b = await launchChromium();
  try {
    const page = await (await b.newContext()).newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${u.origin}/run.html`);
    await page.waitForFunction(() => !(document.getElementById('usb-start') as HTMLButtonElement).disabled);
    await page.fill('#label', 'Example Key NFC');
    await page.fill('#firmware', '5.8.0');
    await page.click('#usb-start');
    await page.waitForSelector('#usb-status[data-kind=ok]', { timeout: 60_000 });
    await page.locator('[data-testid=key-changes]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'docs/guided-usb-run.png' });
    console.log('wrote docs/guided-usb-run.png');
  } finally {
    await b.close();
    await u.close();
  }
}

// the account page of a shared harness: the first admin signed in, an invite made
{
  const token = 'screenshot-startup-token-0123';
  const a = await startTestServer({ listen: true, flags: ['--accounts', 'on', '--token', token] });
  const b = await launchChromium();
  try {
    const k = await openWithVirtualKey(b, `${a.origin}/account.html?token=${token}`, { hasResidentKey: true, hasUserVerification: true, isUserVerified: true }, { waitForDemo: false });
    await k.page.setViewportSize({ width: 1280, height: 760 });
    await k.page.waitForSelector('#signed-out:not([hidden])');
    await k.page.fill('#name', 'Ada Lab-Admin');
    await k.page.fill('#team', 'lab');
    await k.page.click('#join');
    await k.page.waitForSelector('#signed-in:not([hidden])');
    await k.page.fill('#invite-team', 'firmware-qa');
    await k.page.click('#make-invite');
    await k.page.waitForSelector('[data-testid=invite-link]');
    await k.page.screenshot({ path: 'docs/account-page.png', fullPage: true });
    console.log('wrote docs/account-page.png');
  } finally {
    await b.close();
    await a.close();
  }
}
