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
