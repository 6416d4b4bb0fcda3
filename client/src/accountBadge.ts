import { api } from './api.ts';
import { $, el } from './dom.ts';

/** The header of a page on a shared harness: who is signed in, or where to sign in. Nothing when accounts are off. */
export async function showAccountBadge(): Promise<void> {
  const st = await api<{ accounts: boolean; signedIn: boolean; account?: { name: string; team: string } }>('GET', '/api/account').catch(() => undefined);
  const badge = $('account-badge');
  if (!st?.accounts) return badge.replaceChildren();
  badge.replaceChildren(st.signedIn && st.account
    ? el('a', { href: '/account.html', class: 'hdr-link', 'data-testid': 'account-badge' }, `${st.account.name} · team ${st.account.team}`)
    : el('a', { href: '/account.html', class: 'hdr-link', 'data-testid': 'account-badge' }, 'Sign in to this shared harness →'));
}
