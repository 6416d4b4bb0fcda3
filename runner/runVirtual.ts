import http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { openWithVirtualKey, type VirtualKey } from './chromium.ts';
import type { VirtualProfile } from './virtualProfiles.ts';
import { runPlan, userIdFor, type Account, type CeremonyOutcome, type Perform, type RunEvidence } from '../conformance/src/index.ts';

/**
 * A page to run ceremonies in: an empty document on http://localhost:<port> (a secure
 * context whose RP ID is "localhost"). The ceremonies are the conformance plan, performed
 * with the browser's own JSON helpers (parseCreationOptionsFromJSON / toJSON).
 */
export async function startBlankOrigin(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" }).end('<!doctype html><title>fido2-harness conformance</title>');
  });
  await new Promise<void>((r) => server.listen(0, 'localhost', r));
  const { port } = server.address() as { port: number };
  return { origin: `http://localhost:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function ceremony(page: Page, kind: 'registration' | 'authentication', options: Record<string, any>): Promise<CeremonyOutcome> {
  return page.evaluate(async ({ kind, options }) => {
    const P = PublicKeyCredential as unknown as { parseCreationOptionsFromJSON(o: unknown): PublicKeyCredentialCreationOptions; parseRequestOptionsFromJSON(o: unknown): PublicKeyCredentialRequestOptions };
    const signal = AbortSignal.timeout(15_000); // create() hangs rather than fails without an authenticator
    try {
      const c = (kind === 'registration'
        ? await navigator.credentials.create({ publicKey: P.parseCreationOptionsFromJSON(options), signal })
        : await navigator.credentials.get({ publicKey: P.parseRequestOptionsFromJSON(options), signal })) as unknown as { toJSON(): Record<string, unknown> };
      return { response: c.toJSON() as Record<string, any> };
    } catch (e) {
      return { error: { name: (e as Error).name, message: (e as Error).message } };
    }
  }, { kind, options });
}

/**
 * The browser's account chooser is outside WebAuthn; with a virtual authenticator the runner
 * stands in for the person by hiding the other accounts' resident credentials (CDP) for the
 * one discoverable sign-in, then putting them back exactly as they were.
 */
export async function withOnlyAccount<T>(k: VirtualKey, account: Account, fn: () => Promise<T>): Promise<T> {
  const { credentials } = await k.cdp.send('WebAuthn.getCredentials', { authenticatorId: k.authenticatorId });
  const others = credentials.filter((c) => c.isResidentCredential && c.userHandle && Buffer.from(c.userHandle, 'base64').toString('base64url') !== userIdFor(account));
  for (const c of others) await k.cdp.send('WebAuthn.removeCredential', { authenticatorId: k.authenticatorId, credentialId: c.credentialId });
  try {
    return await fn();
  } finally {
    for (const c of others) {
      const now = (await k.cdp.send('WebAuthn.getCredentials', { authenticatorId: k.authenticatorId })).credentials;
      if (!now.some((x) => x.credentialId === c.credentialId)) await k.cdp.send('WebAuthn.addCredential', { authenticatorId: k.authenticatorId, credential: c });
    }
  }
}

/**
 * A browser page as a performer: the ceremony runs through the page's own WebAuthn API. With
 * `key` (a CDP virtual authenticator) the account chooser is stood in for; without, the
 * browser's own chooser decides (a person, or whatever the page's authenticator does).
 */
export function pagePerformer(page: Page, key?: VirtualKey): Perform {
  return (step, options) => {
    const go = () => ceremony(page, step.kind, options);
    return key && step.kind === 'authentication' && step.account ? withOnlyAccount(key, step.account, go) : go();
  };
}

/** The whole plan in a page that is already open at the RP's origin. */
export async function runPlanInPage(page: Page, o: { key?: VirtualKey; subject: RunEvidence['subject']; now?: () => Date }): Promise<RunEvidence> {
  const origin = new URL(page.url()).origin;
  return runPlan({ rp: { id: new URL(origin).hostname, name: 'fido2-harness conformance' }, origin, subject: o.subject, now: o.now, perform: pagePerformer(page, o.key) });
}

/** One profile, one browser context, the whole plan. */
export async function runVirtualProfile(browser: Browser, origin: string, profile: VirtualProfile, now: () => Date = () => new Date()): Promise<RunEvidence> {
  const k = await openWithVirtualKey(browser, `${origin}/`, profile.options, { waitForDemo: false });
  try {
    return await runPlanInPage(k.page, { key: k, subject: { label: `Chromium virtual authenticator: ${profile.name}`, via: 'virtual', profile: profile.name }, now });
  } finally {
    await k.context.close();
  }
}
