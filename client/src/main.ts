import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { $, el, input, select, showStatus } from './dom.ts';
import { api, ApiError } from './api.ts';
import { textToBase64url } from './binary.ts';
import { performCeremony } from './ceremony.ts';
import { explainBrowserError, explainServerError } from './explainError.ts';
import { renderDecoded, renderCredentials, ALG_NAMES, learnAlgorithmNames } from './render.ts';
import { showAccountBadge } from './accountBadge.ts';
import type { ApiConfig, AuthenticationOptionsRequest, CredentialList, RegistrationOptionsRequest, VerifyResult } from '../../server/src/schemas/api.ts';


function setStatus(kind: 'idle' | 'busy' | 'ok' | 'error', text: string) {
  showStatus('status', kind, text);
}

function showDecoded(d: Record<string, any> | undefined, findings?: Record<string, any>[]) {
  $('decoded').replaceChildren(renderDecoded(d, findings));
}

function busy(on: boolean) {
  for (const id of ['register', 'signin', 'signin-discoverable']) ($(id) as HTMLButtonElement).disabled = on;
}

function checked(id: string) {
  return input(id).checked;
}

function registrationRequest(): RegistrationOptionsRequest {
  const ext: Record<string, unknown> = {};
  if (checked('ext-credProps')) ext.credProps = true;
  if (checked('ext-prf')) ext.prf = {};
  if (checked('ext-hmacCreateSecret')) ext.hmacCreateSecret = true;
  if (checked('ext-minPinLength')) ext.minPinLength = true;
  if (select('ext-credProtect').value) ext.credProtect = { policy: select('ext-credProtect').value, enforce: checked('ext-credProtectEnforce') };
  if (select('ext-largeBlob').value) ext.largeBlob = { support: select('ext-largeBlob').value };
  if (input('ext-credBlob').value) ext.credBlob = textToBase64url(input('ext-credBlob').value);
  const algorithms = [...document.querySelectorAll<HTMLInputElement>('#algorithms input:checked')].map((i) => Number(i.value));
  return {
    username: input('username').value.trim(),
    ...(input('displayName').value ? { displayName: input('displayName').value } : {}),
    attestation: select('attestation').value as RegistrationOptionsRequest['attestation'],
    residentKey: select('residentKey').value as RegistrationOptionsRequest['residentKey'],
    userVerification: select('regUserVerification').value as RegistrationOptionsRequest['userVerification'],
    ...(select('authenticatorAttachment').value ? { authenticatorAttachment: select('authenticatorAttachment').value as RegistrationOptionsRequest['authenticatorAttachment'] } : {}),
    hints: [...document.querySelectorAll<HTMLInputElement>('input[name=hint]:checked')].map((i) => i.value) as RegistrationOptionsRequest['hints'],
    ...(algorithms.length ? { algorithms } : {}),
    timeout: Number(input('timeout').value || 120) * 1000,
    excludeCredentials: checked('excludeCredentials'),
    extensions: ext,
  };
}

function authenticationRequest(discoverable: boolean): AuthenticationOptionsRequest {
  const ext: Record<string, unknown> = {};
  if (input('auth-prf').value) ext.prf = { eval: { first: textToBase64url(input('auth-prf').value) } };
  const lb = select('auth-largeBlob').value;
  if (lb === 'read') ext.largeBlob = { read: true };
  if (lb === 'write') ext.largeBlob = { write: textToBase64url(input('auth-largeBlobWrite').value) };
  if (checked('auth-getCredBlob')) ext.getCredBlob = true;
  return {
    ...(discoverable ? {} : { username: input('username').value.trim() }),
    userVerification: select('authUserVerification').value as AuthenticationOptionsRequest['userVerification'],
    timeout: Number(input('timeout').value || 120) * 1000,
    extensions: ext,
  };
}

/**
 * The last response with its context, exactly as `fido2-harness inspect` takes it: the response,
 * the challenge, origin and RP ID it was made for, what the RP asked, and when it was captured.
 */
let lastCapture: Record<string, unknown> | undefined;

function offerCapture(capture: Record<string, unknown>) {
  lastCapture = capture;
  const text = () => `${JSON.stringify(lastCapture, null, 2)}\n`;
  const copy = el('button', { type: 'button', class: 'small', 'data-testid': 'copy-capture' }, 'Copy for inspect');
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(text()).then(() => setStatus('idle', 'Copied: paste it into a file and run "fido2-harness inspect FILE", or open it here later.'), () => setStatus('error', 'The browser did not allow copying: use Download instead.'));
  });
  const download = el('button', { type: 'button', class: 'small', 'data-testid': 'download-capture' }, 'Download .json');
  download.addEventListener('click', () => {
    const a = el('a', { href: URL.createObjectURL(new Blob([text()], { type: 'application/json' })), download: `${capture.kind}-${String(capture.captureTime).replace(/[:.]/g, '-')}.json` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  $('capture-actions').replaceChildren(copy, ' ', download);
}

/** a captured response (a file from Download, or any inspect input), judged by the server and shown decoded */
async function openCapture(file: File) {
  try {
    if (file.size > 256 * 1024) throw new Error(`${file.name} is ${file.size} bytes: a captured response is far smaller`);
    let input: unknown;
    try {
      input = JSON.parse(await file.text());
    } catch (e) {
      throw new Error(`${file.name} is not JSON: ${(e as Error).message}`);
    }
    const r = await api<{ kind: string; verified: boolean; findings: Record<string, any>[]; decoded: Record<string, any> }>('POST', '/api/inspect', input);
    showDecoded(r.decoded, r.findings);
    setStatus(r.verified ? 'ok' : 'error', `${file.name}: a ${r.kind} response, ${r.verified ? 'verified' : 'not verified'} (the steps below; nothing was stored).`);
  } catch (e) {
    setStatus('error', e instanceof ApiError ? `${file.name}: ${e.code}: ${e.message}` : (e as Error).message);
  }
}

async function ceremony(kind: 'register' | 'sign in', discoverable = false) {
  // the pressed button is disabled while the ceremony runs (which drops the focus): it gets it back after
  const pressed = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  busy(true);
  try {
    if (kind === 'register' && !input('username').value.trim()) {
      setStatus('error', 'Enter a username first: registration creates a credential for an account.');
      return;
    }
    setStatus('busy', kind === 'register' ? 'Touch your security key (enter its PIN if the browser asks)…' : 'Touch your security key to sign in…');
    // the previous ceremony's bytes are not this one's: nothing decoded is shown until this one answers
    $('decoded').replaceChildren(el('p', { class: 'muted', 'data-testid': 'decoded-waiting' }, 'Waiting for the key…'));
    const isReg = kind === 'register';
    const options = await api<Record<string, any>>('POST', isReg ? '/api/registration/options' : '/api/authentication/options', isReg ? registrationRequest() : authenticationRequest(discoverable));
    let response: Record<string, any>;
    const t0 = performance.now();
    try {
      response = await performCeremony(isReg ? 'registration' : 'authentication', options);
    } catch (e) {
      setStatus('error', explainBrowserError(e, kind, { options, elapsedMs: performance.now() - t0 }));
      $('decoded').replaceChildren(el('p', { class: 'muted', 'data-testid': 'decoded-none' }, 'No response to decode: the browser answered with an error (above), the key sent nothing.'));
      return;
    }
    offerCapture({
      kind: isReg ? 'registration' : 'authentication',
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: location.origin,
      expectedRPID: isReg ? options.rp?.id : options.rpId,
      requireUserVerification: (isReg ? options.authenticatorSelection?.userVerification : options.userVerification) === 'required',
      ...(isReg ? { expectedAlgorithms: (options.pubKeyCredParams ?? []).map((p: { alg: number }) => p.alg) } : {}),
      captureTime: new Date().toISOString(),
    });
    try {
      const r = await api<VerifyResult>('POST', isReg ? '/api/registration/verify' : '/api/authentication/verify', response);
      const c = r.credential;
      setStatus('ok', isReg
        ? `Registered ${c.username}'s credential (${ALG_NAMES[c.alg] ?? c.alg}, attestation "${c.fmt}", ${c.authenticator ? `${c.authenticator.name}, ${c.authenticator.status ?? 'no status'}` : `AAGUID ${c.aaguid}, not in MDS`}).`
        : `Signed in as ${c.username || '(unknown user)'}; signature counter now ${c.counter}.`);
      showDecoded(r.decoded, r.findings);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      setStatus('error', explainServerError(e.code, e.message, isReg ? 'registration' : 'sign-in'));
      if (e.body.decoded) showDecoded(e.body.decoded as never, e.body.findings as never);
      else $('decoded').replaceChildren(el('p', { class: 'muted', 'data-testid': 'decoded-none' }, 'The server refused the response before decoding it (see the message above).'));
    }
    await refreshCredentials();
  } catch (e) {
    if (e instanceof ApiError) setStatus('error', `${e.code}: ${e.message}`);
    else setStatus('error', `Unexpected error: ${(e as Error).message}`);
    // refused before the key was asked: nothing is on its way
    if ($('decoded').querySelector('[data-testid=decoded-waiting]')) $('decoded').replaceChildren(el('p', { class: 'muted', 'data-testid': 'decoded-none' }, 'Nothing was sent to the key: the server refused the request before the ceremony (see the message above).'));
  } finally {
    busy(false);
    pressed?.focus({ preventScroll: true });
  }
}

async function refreshCredentials() {
  const { credentials } = await api<CredentialList>('GET', '/api/credentials');
  $('credentials').replaceChildren(renderCredentials(credentials, async (id) => {
    await api('DELETE', `/api/credentials/${encodeURIComponent(id)}`);
    setStatus('idle', 'Credential deleted on the server. (It stays on the key: remove it there with the vendor tool if you need the slot.)');
    await refreshCredentials();
  }));
}

async function init() {
  const cfg = await api<ApiConfig>('GET', '/api/config');
  $('rp-info').textContent = `RP ID ${cfg.rpId}; origins ${cfg.origins.join(', ')}; MDS: ${cfg.mds?.state === 'loaded' ? `BLOB no ${cfg.mds.no} (nextUpdate ${cfg.mds.nextUpdate})` : (cfg.mds?.note ?? 'none')}${cfg.mds?.drafts ? `; ${cfg.mds.drafts}` : ''}`;
  // a BLOB past its nextUpdate may miss revocations and new keys: said where everything else is judged from
  if (cfg.mds?.stale) $('mds-warning').replaceChildren(el('span', { class: 'hdr-warn', 'data-testid': 'mds-stale' }, `Stale metadata: MDS BLOB no ${cfg.mds.no} was due for replacement on ${cfg.mds.nextUpdate}; statuses and keys added since are missing. Run "fido2-harness mds update" and restart.`));
  learnAlgorithmNames(cfg.algorithmNames as Record<string, string> | undefined);
  const box = $('algorithms');
  for (const alg of cfg.algorithms as number[]) {
    const cb = el('input', { type: 'checkbox', value: String(alg) });
    cb.checked = (cfg.defaultAlgorithms as number[]).includes(alg);
    box.append(el('label', { class: 'inline' }, cb, ` ${ALG_NAMES[alg] ?? alg}`));
  }
  $('register').addEventListener('click', () => void ceremony('register'));
  $('open-capture').addEventListener('change', () => {
    const f = (input('open-capture').files ?? [])[0];
    if (f) void openCapture(f).finally(() => (input('open-capture').value = ''));
  });
  $('signin').addEventListener('click', () => void ceremony('sign in'));
  $('signin-discoverable').addEventListener('click', () => void ceremony('sign in', true));
  $('refresh').addEventListener('click', () => void refreshCredentials());
  if (!browserSupportsWebAuthn()) setStatus('error', 'This browser has no WebAuthn (navigator.credentials). Use a current Chrome, Edge, Firefox or Safari over https or on localhost.');
  await refreshCredentials();
  document.body.dataset.ready = 'true';
}

void showAccountBadge();
init().catch((e) => setStatus('error', e instanceof ApiError && e.code === 'ACCOUNT_REQUIRED'
  ? 'This harness is shared between people: sign in first on the account page (link in the header), then reload.'
  : `Could not reach the harness server: ${(e as Error).message}. Is it running?`));
