import http from 'node:http';
import crypto from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { openWithVirtualKey, type VirtualKey } from './chromium.ts';
import type { VirtualProfile } from './virtualProfiles.ts';
import type { RunEvidence } from '../conformance/src/checks/RunEvidence.ts';
import { CEREMONY_PLAN, optionsFor, userIdFor, type Account } from '../conformance/src/checks/ceremonyPlan.ts';

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

async function ceremony(page: Page, kind: 'registration' | 'authentication', options: Record<string, any>) {
  return page.evaluate(async ({ kind, options }) => {
    const P = PublicKeyCredential as unknown as { parseCreationOptionsFromJSON(o: unknown): PublicKeyCredentialCreationOptions; parseRequestOptionsFromJSON(o: unknown): PublicKeyCredentialRequestOptions };
    const signal = AbortSignal.timeout(15_000); // create() hangs rather than fails without an authenticator
    try {
      const c = (kind === 'registration'
        ? await navigator.credentials.create({ publicKey: P.parseCreationOptionsFromJSON(options), signal })
        : await navigator.credentials.get({ publicKey: P.parseRequestOptionsFromJSON(options), signal })) as unknown as { toJSON(): Record<string, unknown> };
      return { response: c.toJSON() };
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
 * The whole plan in a page that is already open at the RP's origin. With `key` (a CDP virtual
 * authenticator) the account chooser is stood in for; without, the browser's own chooser
 * decides (a person, or whatever the page's authenticator does).
 */
export async function runPlanInPage(page: Page, o: { key?: VirtualKey; subject: RunEvidence['subject']; now?: () => Date }): Promise<RunEvidence> {
  const now = o.now ?? (() => new Date());
  const origin = new URL(page.url()).origin;
  const rpId = new URL(origin).hostname;
  const run: RunEvidence = { schemaVersion: 1, id: crypto.randomUUID(), startedAt: now().toISOString(), subject: o.subject, rpId, origin, ceremonies: [] };
  const credentials: Partial<Record<Account, string>> = {};
  for (const step of CEREMONY_PLAN) {
    const options = optionsFor(step, { id: rpId, name: 'fido2-harness conformance' }, credentials);
    const go = () => ceremony(page, step.kind, options);
    const r = o.key && step.kind === 'authentication' && step.account ? await withOnlyAccount(o.key, step.account, go) : await go();
    if (r.response && step.kind === 'registration') credentials[step.account!] = r.response.id as string;
    run.ceremonies.push({ step: step.step, kind: step.kind, options, ...(r.response ? { response: r.response } : { error: r.error }), at: now().toISOString() });
  }
  run.finishedAt = now().toISOString();
  return run;
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
