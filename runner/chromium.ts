import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium driven by playwright-core (browser downloads are impossible here).
 * The flags keep it from reaching for Google's services on a closed network.
 */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (Debian/Ubuntu: sudo apt-get install chromium; in a clone of fido2-harness, bash scripts/ensure-chromium.sh does it) or point CHROMIUM_PATH at a Chromium or Chrome binary`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface VirtualAuthenticatorOptions {
  protocol?: 'ctap2' | 'u2f';
  ctap2Version?: 'ctap2_0' | 'ctap2_1';
  transport?: 'usb' | 'nfc' | 'ble' | 'internal';
  hasResidentKey?: boolean;
  hasUserVerification?: boolean;
  isUserVerified?: boolean;
  hasPrf?: boolean;
  hasHmacSecret?: boolean;
  hasLargeBlob?: boolean;
  hasCredBlob?: boolean;
  hasMinPinLength?: boolean;
  automaticPresenceSimulation?: boolean;
}

export interface VirtualKey {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}

/**
 * A CDP virtual authenticator on a page that is already open (the page's context owns it):
 * what a Playwright suite adds to its own page before running the plan in it.
 */
export async function attachVirtualAuthenticator(page: Page, o: VirtualAuthenticatorOptions = {}): Promise<VirtualKey> {
  const context = page.context();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: o.protocol ?? 'ctap2',
      ctap2Version: o.ctap2Version ?? 'ctap2_1',
      transport: o.transport ?? 'usb',
      hasResidentKey: o.hasResidentKey ?? true,
      hasUserVerification: o.hasUserVerification ?? true,
      isUserVerified: o.isUserVerified ?? true,
      automaticPresenceSimulation: o.automaticPresenceSimulation ?? true,
      ...(o.hasPrf !== undefined ? { hasPrf: o.hasPrf } : {}),
      ...(o.hasHmacSecret !== undefined ? { hasHmacSecret: o.hasHmacSecret } : {}),
      ...(o.hasLargeBlob !== undefined ? { hasLargeBlob: o.hasLargeBlob } : {}),
      ...(o.hasCredBlob !== undefined ? { hasCredBlob: o.hasCredBlob } : {}),
      ...(o.hasMinPinLength !== undefined ? { hasMinPinLength: o.hasMinPinLength } : {}),
    } as never,
  });
  return { context, page, cdp, authenticatorId };
}

/** One browser context per key (DESIGN: pages sharing a context lose focus). */
export async function openWithVirtualKey(browser: Browser, url: string, o: VirtualAuthenticatorOptions = {}, how: { waitForDemo?: boolean } = {}): Promise<VirtualKey> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const k = await attachVirtualAuthenticator(page, o);
  await page.goto(url);
  if (how.waitForDemo !== false) await page.waitForSelector('body[data-ready=true]');
  return k;
}
