import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from '../helpers/e2eSetup.ts';
import { openWithVirtualKey } from '../../runner/chromium.ts';
import { press, setRegistrationForm } from '../helpers/demoPage.ts';

/**
 * A shared harness in the browser: the first admin through the start-up link, a colleague
 * through an invite link into another team, each seeing only their team's keys; a person who
 * has not signed in is told where to.
 */
const TOKEN = 'e2e-startup-token-0123456789';
const env = useServerAndBrowser({ flags: ['--accounts', 'on', '--token', TOKEN] });
const KEY = { hasResidentKey: true, hasUserVerification: true, isUserVerified: true };

async function join(page: Page, name: string, team?: string) {
  await page.waitForSelector('#signed-out:not([hidden])');
  await page.fill('#name', name);
  if (team) await page.fill('#team', team);
  await page.click('#join');
  await page.waitForSelector('#signed-in:not([hidden])');
  return page.textContent('[data-testid=me]');
}

describe('accounts in the browser', () => {
  it('first admin, an invite into another team, each sees only their team\'s keys; signed out is told where to sign in', { timeout: 90_000 }, async () => {
    const errors: string[] = [];
    // a person who has not signed in: the demo page says where to go
    const anon = await openWithVirtualKey(env.browser, `${env.s.origin}/`, KEY, { waitForDemo: false });
    await anon.page.waitForSelector('#status[data-kind=error]');
    expect(await anon.page.textContent('#status')).toContain('sign in first on the account page');
    await anon.page.waitForSelector('[data-testid=account-badge]');
    expect(await anon.page.textContent('[data-testid=account-badge]')).toContain('Sign in');
    // without the start-up token the page cannot make the first admin, and says so
    await anon.page.goto(`${env.s.origin}/account.html`);
    await anon.page.waitForSelector('#signed-out:not([hidden])');
    expect(await anon.page.textContent('#join-help')).toContain('opens the account link the server printed');
    expect(await anon.page.isDisabled('#join')).toBe(true);

    const admin = await openWithVirtualKey(env.browser, `${env.s.origin}/account.html?token=${TOKEN}`, KEY, { waitForDemo: false });
    admin.page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    expect(await join(admin.page, 'Ada <b>Admin</b>', 'lab')).toBe('Ada <b>Admin</b> · team lab · admin');
    expect(await admin.page.locator('[data-testid=me] b').count()).toBe(0);
    await admin.page.fill('#invite-team', 'red');
    await admin.page.click('#make-invite');
    const link = (await admin.page.textContent('[data-testid=invite-link]'))!;
    expect(link).toMatch(/\/account\.html\?invite=[A-Za-z0-9_-]{32}$/);
    fs.mkdirSync('test-artifacts', { recursive: true });
    await admin.page.screenshot({ path: 'test-artifacts/account-page.png', fullPage: true });

    // the colleague opens the invite link: team red, a member
    const rita = await openWithVirtualKey(env.browser, link, KEY, { waitForDemo: false });
    expect(await join(rita.page, 'Rita')).toBe('Rita · team red · member');
    expect(await rita.page.isHidden('#admin')).toBe(true);
    // the same link does not work twice
    const again = await openWithVirtualKey(env.browser, link, KEY, { waitForDemo: false });
    await again.page.waitForSelector('#signed-out:not([hidden])');
    await again.page.fill('#name', 'Mallory');
    await again.page.click('#join');
    await again.page.waitForSelector('#account-state.error');
    expect(await again.page.textContent('#account-state')).toContain('INVITE_INVALID');

    // Rita registers a key under test on the demo page; the header names her
    await rita.page.goto(`${env.s.origin}/`);
    await rita.page.waitForSelector('body[data-ready=true]');
    expect(await rita.page.textContent('[data-testid=account-badge]')).toBe('Rita · team red');
    await setRegistrationForm(rita.page, { username: 'red-key-1' });
    expect((await press(rita.page, '#register')).kind).toBe('ok');
    await rita.page.waitForSelector('[data-testid=credential-row]');

    // the admin sees it; a colleague of another team does not, and cannot take the username
    await admin.page.goto(`${env.s.origin}/`);
    await admin.page.waitForSelector('[data-testid=credential-row]');
    expect(await admin.page.textContent('#credentials')).toContain('red-key-1');
    await admin.page.goto(`${env.s.origin}/account.html`);
    await admin.page.waitForSelector('#signed-in:not([hidden])');
    await admin.page.fill('#invite-team', 'blue');
    await admin.page.click('#make-invite');
    const blueLink = (await admin.page.textContent('[data-testid=invite-link]'))!;
    const bert = await openWithVirtualKey(env.browser, blueLink, KEY, { waitForDemo: false });
    expect(await join(bert.page, 'Bert')).toBe('Bert · team blue · member');
    await bert.page.goto(`${env.s.origin}/`);
    await bert.page.waitForSelector('body[data-ready=true]');
    expect(await bert.page.locator('[data-testid=credential-row]').count()).toBe(0);
    await setRegistrationForm(bert.page, { username: 'red-key-1' });
    const taken = await press(bert.page, '#register');
    expect(taken.kind).toBe('error');
    expect(taken.status).toContain('belongs to another team on this shared harness');

    // Rita deletes her key; the admin's record says who
    await rita.page.locator('[data-testid=credential-row]', { hasText: 'red-key-1' }).locator('button.danger').click();
    await rita.page.waitForSelector('text=Credential deleted');
    await admin.page.goto(`${env.s.origin}/account.html`);
    await admin.page.waitForSelector('[data-testid=deletions]');
    expect(await admin.page.textContent('[data-testid=deletions]')).toMatch(/credential red-key-1\s*red\s*Rita/);

    // the admin sees the people of every team and removes Bert (after confirming)
    await admin.page.waitForSelector('[data-testid=member-row]');
    expect(await admin.page.locator('[data-testid=member-row]').count()).toBe(3);
    admin.page.once('dialog', (d) => void d.accept());
    await admin.page.locator('[data-testid=member-row]', { hasText: 'Bert' }).locator('button.danger').click();
    await admin.page.waitForFunction(() => document.querySelectorAll('[data-testid=member-row]').length === 2);
    await bert.page.reload();
    await bert.page.waitForSelector('#status[data-kind=error]');
    expect(await bert.page.textContent('#status')).toContain('sign in first');

    // signing out and in again with the passkey
    await rita.page.goto(`${env.s.origin}/account.html`);
    await rita.page.waitForSelector('#signed-in:not([hidden])');
    await rita.page.click('#signout');
    await rita.page.waitForSelector('#signed-out:not([hidden])');
    // her key also holds the credential she registered under test (deleted on the server only): the
    // name, remembered by the page, makes the browser offer her harness passkey alone
    expect(await rita.page.inputValue('#signin-name')).toBe('Rita');
    await rita.page.click('#signin');
    await rita.page.waitForSelector('#signed-in:not([hidden])');
    expect(await rita.page.textContent('[data-testid=me]')).toBe('Rita · team red · member');
    expect(errors).toEqual([]);
    for (const k of [anon, admin, rita, again, bert]) await k.context.close();
  });
});
