import { api, ApiError } from './api.ts';
import { $, el, input, select } from './dom.ts';
import { performCeremony } from './ceremony.ts';
import { explainBrowserError } from './explainError.ts';

/**
 * The account page of a shared harness: the first admin (with the start-up token in the URL the
 * server printed), joining with an invite, signing in with one's passkey, making invites, and
 * the record of what was deleted by whom. Everything from the server goes in as text.
 */
interface AccountState {
  accounts: boolean;
  signedIn: boolean;
  account?: { name: string; team: string; role: 'admin' | 'member' };
  firstAdmin: boolean;
}

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? undefined;
if (params.get('invite')) input('invite').value = params.get('invite')!;

function say(text: string, kind: 'idle' | 'ok' | 'error' | 'busy' = 'idle') {
  const s = $('account-state');
  s.textContent = text;
  s.className = `status ${kind}`;
}

function problem(e: unknown, what: string, ceremony?: 'register' | 'sign in'): string {
  if (e instanceof ApiError) return `${what}: ${e.code}\n${e.message}`;
  if (ceremony && e instanceof Error) return explainBrowserError(e, ceremony, {});
  return `${what}: ${e instanceof Error ? e.message : String(e)}`;
}

async function refresh() {
  const st = await api<AccountState>('GET', '/api/account');
  if (st.account) localStorage.setItem('fh-account-name', st.account.name);
  input('signin-name').value ||= localStorage.getItem('fh-account-name') ?? '';
  $('signed-out').hidden = !st.accounts || st.signedIn;
  $('signed-in').hidden = !st.signedIn;
  if (!st.accounts) return say('Accounts are off on this server (it listens on this machine only): every page works without signing in. A lab server turns them on with serve --accounts on, or by listening beyond loopback.');
  if (!st.signedIn) {
    const first = st.firstAdmin;
    $('join-title').textContent = first ? 'Make the first account (the admin)' : 'Join with an invite';
    $('join-help').textContent = first
      ? (token ? 'No account exists yet: you become the admin of this harness. Choose your name and your team.' : 'No account exists yet. The first admin opens the account link the server printed at start (it carries the start-up token).')
      : 'An admin gives you an invite link. Your name is shown to your team; the passkey stays on your device or key.';
    $('team-label').hidden = !first;
    $('invite-label').hidden = first;
    ($('join') as HTMLButtonElement).disabled = first && !token;
    return say(first ? 'Nobody has an account on this harness yet.' : 'Not signed in.');
  }
  const a = st.account!;
  $('me').replaceChildren(el('p', { 'data-testid': 'me' }, el('strong', {}, a.name), ` · team ${a.team} · ${a.role}`));
  $('admin').hidden = a.role !== 'admin';
  input('invite-team').value ||= a.team;
  say(`Signed in as ${a.name} (team ${a.team}).`, 'ok');
  const { members } = await api<{ members: { name: string; team: string; role: string }[] }>('GET', '/api/account/members');
  $('members').replaceChildren(el('table', { 'data-testid': 'members' }, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'team'), el('th', {}, 'role'), el('th', {}, '')),
    ...members.map((m) => {
      const remove = el('button', { type: 'button', class: 'small danger' }, 'remove');
      remove.addEventListener('click', async () => {
        if (!confirm(`Remove ${m.name}? They are signed out at once and their passkey no longer signs in. Their team's keys and runs stay.`)) return;
        try {
          await api('DELETE', `/api/account/members/${encodeURIComponent(m.name)}`);
          await refresh();
        } catch (e) {
          say(problem(e, `removing ${m.name}`), 'error');
        }
      });
      return el('tr', { 'data-testid': 'member-row' }, el('td', {}, m.name), el('td', {}, m.team), el('td', {}, m.role), el('td', {}, a.role === 'admin' && m.name !== a.name ? remove : ''));
    })));
  const { deletions } = await api<{ deletions: { kind: string; objectId: string; label: string; team: string | null; byName: string; at: string }[] }>('GET', '/api/account/deletions');
  $('deletions').replaceChildren(deletions.length
    ? el('table', { 'data-testid': 'deletions' }, el('tr', {}, el('th', {}, 'when'), el('th', {}, 'what'), el('th', {}, 'team'), el('th', {}, 'by')),
      ...deletions.map((d) => el('tr', {}, el('td', {}, d.at.replace('T', ' ').slice(0, 19)), el('td', {}, `${d.kind} ${d.label}`), el('td', {}, d.team ?? '(none)'), el('td', {}, d.byName))))
    : el('p', { class: 'muted' }, 'Nothing deleted yet.'));
}

$('join').addEventListener('click', async () => {
  const name = input('name').value.trim();
  if (!name) return say('Type your name first.', 'error');
  say('Touch your key, or use this device\'s passkey…', 'busy');
  try {
    const body: Record<string, string> = { name };
    const first = !$('team-label').hidden;
    if (first) {
      body.team = input('team').value.trim() || 'lab';
      if (token) body.token = token;
    } else body.invite = input('invite').value.trim();
    const options = await api('POST', '/api/account/register/options', body);
    await api('POST', '/api/account/register/verify', await performCeremony('registration', options));
    history.replaceState(null, '', '/account.html');
    await refresh();
  } catch (e) {
    say(problem(e, 'making the account', 'register'), 'error');
  }
});

$('signin').addEventListener('click', async () => {
  say('Touch your key, or use this device\'s passkey…', 'busy');
  try {
    const name = input('signin-name').value.trim();
    const options = await api('POST', '/api/account/signin/options', name ? { name } : {});
    await api('POST', '/api/account/signin/verify', await performCeremony('authentication', options));
    if (name) localStorage.setItem('fh-account-name', name);
    await refresh();
  } catch (e) {
    say(problem(e, 'signing in', 'sign in'), 'error');
  }
});

$('signout').addEventListener('click', async () => {
  await api('POST', '/api/account/signout', {});
  await refresh();
});

$('make-invite').addEventListener('click', async () => {
  try {
    const inv = await api<{ code: string; team: string; role: string; expiresAt: string; url: string }>('POST', '/api/account/invites', { team: input('invite-team').value.trim() || undefined, role: select('invite-role').value });
    const link = `${location.origin}${inv.url}`;
    $('invite-out').replaceChildren(el('p', {}, `Invite for team ${inv.team} (${inv.role}), valid until ${inv.expiresAt.slice(0, 10)}, usable once:`), el('p', {}, el('code', { 'data-testid': 'invite-link' }, link)));
  } catch (e) {
    say(problem(e, 'making an invite'), 'error');
  }
});

refresh().catch((e: unknown) => say(problem(e, 'asking the server'), 'error'));
