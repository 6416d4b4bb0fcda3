import { el, table } from './dom.ts';

type Obj = Record<string, any>;

function flags(f: Obj): HTMLElement {
  const span = el('span', { 'data-testid': 'flags' });
  for (const k of ['UP', 'UV', 'BE', 'BS', 'AT', 'ED']) span.append(el('span', { class: `flag ${f[k] ? 'on' : 'off'}`, title: k }, `${k}=${f[k] ? 1 : 0}`));
  span.append(` ${f.hex ?? ''}`);
  return span;
}

/** COSE algorithm names: the ones the verdicts use, from the server's /api/config (algorithmNames) */
export const ALG_NAMES: Record<number, string> = { [-7]: 'ES256', [-8]: 'EdDSA', [-257]: 'RS256' };

/** Take the server's names (one table, conformance/src/webauthn/coseAlgorithms.ts), so the page never differs from the report. */
export function learnAlgorithmNames(names: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(names ?? {})) ALG_NAMES[Number(k)] = v;
}
export const algLabel = (alg: number) => (ALG_NAMES[alg] ? `${ALG_NAMES[alg]} (${alg})` : `COSE ${alg}`);

/** A check or finding code: breaks only after its underscores, never mid-word */
export function codeId(id: string): HTMLElement {
  const c = el('code', { class: 'id' });
  id.split('_').forEach((part, i, all) => {
    c.append(part + (i < all.length - 1 ? '_' : ''));
    if (i < all.length - 1) c.append(el('wbr', {}));
  });
  return c;
}

/** The COSE_Key, parameter by parameter: label, name, value and what it means (kty 2 = EC2, alg -7 = ES256) */
function coseTable(params: Obj[] | undefined): HTMLElement | undefined {
  if (!params?.length) return undefined;
  const t = el('table', { class: 'cose', 'data-testid': 'cose-key' });
  for (const p of params) t.append(el('tr', {}, el('td', {}, el('code', {}, p.label)), el('td', {}, p.name), el('td', {}, el('code', {}, p.value)), el('td', {}, p.meaning ?? '')));
  return t;
}

function json(v: unknown): HTMLElement {
  return el('code', {}, JSON.stringify(v));
}

/** The decoded view of one response (registration or assertion), built from the server's analysis. */
export function renderDecoded(d: Obj | undefined, findings?: Obj[]): HTMLElement {
  const root = el('div', { 'data-testid': 'decoded-view' });
  if (!d) {
    root.append(el('p', { class: 'muted' }, 'The response could not be decoded (see the message above).'));
    return root;
  }
  const ad: Obj = d.authenticatorData ?? {};
  root.append(el('h3', {}, d.kind === 'registration' ? 'Registration (attestation)' : 'Sign-in (assertion)'));
  root.append(el('h3', {}, 'clientDataJSON'));
  const cd: Obj = d.clientData ?? {};
  root.append(table([
    ['type', cd.type],
    ['challenge', cd.challenge],
    ['origin', cd.origin],
    ['crossOrigin', String(cd.crossOrigin ?? '(absent)')],
    ['topOrigin', cd.topOrigin],
    ['other members', cd.unknownKeys?.length ? cd.unknownKeys.join(', ') : undefined],
  ], 'client-data'));
  root.append(el('h3', {}, 'Authenticator data'));
  const pk: Obj | undefined = ad.publicKey;
  root.append(table([
    ['length', `${ad.length} bytes`],
    ['rpIdHash', ad.rpIdHash],
    ['flags', flags(ad.flags ?? {})],
    ['signCount', String(ad.signCount)],
    ['AAGUID', ad.aaguid],
    ['credential ID', ad.credentialId ? `${ad.credentialId} (${ad.credentialIdLength} bytes)` : undefined],
    ['public key', pk ? (pk.error ? `unusable: ${pk.error}` : `${pk.kty} ${pk.algName}${pk.crv ? ` ${pk.crv}` : ''}${pk.size && !pk.crv ? ` ${pk.size} bits` : ''}`) : undefined],
    ['COSE key', pk ? (coseTable(pk.params) ?? json(pk.cose)) : undefined],
    ['extensions (authenticator)', ad.extensions ? json(ad.extensions) : undefined],
  ], 'auth-data'));
  if (d.attestation) {
    const a: Obj = d.attestation;
    root.append(el('h3', {}, 'Attestation statement'));
    root.append(table([
      ['fmt', a.fmt],
      ['attestation type', a.type],
      ['trust', a.trust ? `${a.trust}${a.trustAnchor ? ` (chain ends at ${a.trustAnchor})` : a.trust === 'unknown' ? ' (no trust anchor configured for this authenticator)' : ''}` : undefined],
      ['alg', a.alg === undefined ? undefined : String(a.alg)],
      ['statement members', a.statementKeys.join(', ')],
      ['certificates', a.certificates.length ? `${a.certificates.length} in x5c` : 'none (self or none attestation)'],
    ], 'attestation'));
    for (const c of a.certificates as Obj[]) {
      root.append(table(c.error ? [[`x5c[${c.index}]`, c.error]] : [
        [`x5c[${c.index}] subject`, c.subject || '(empty)'],
        ['issuer', c.issuer],
        ['version', `v${c.version}`],
        ['valid', `${c.notBefore} to ${c.notAfter}`],
        ['basic constraints', c.basicConstraints],
        ['AAGUID extension', c.aaguidExtension ?? '(absent)'],
        ['transports extension', c.transports ? c.transports.join(', ') : undefined],
        ['self-signed', String(c.selfSigned)],
        ['key', c.publicKey],
        ['extensions', c.extensions.join(', ')],
        ['SHA-256', c.sha256],
      ], 'certificate'));
    }
  }
  if (d.signature) root.append(table([['signature', `${d.signature.length} bytes`], ['userHandle', d.userHandle ?? '(none)']], 'assertion'));
  root.append(el('h3', {}, 'Client extension results'));
  root.append(table([['getClientExtensionResults()', json(d.clientExtensionResults)], ['transports', d.transports?.join(', ')], ['attachment', d.authenticatorAttachment]], 'client-extensions'));
  if (findings?.length) {
    root.append(el('h3', {}, 'Verification steps'));
    const t = el('table', { 'data-testid': 'findings' });
    for (const f of findings) {
      t.append(el('tr', { class: `finding ${f.status}` }, el('td', {}, f.status), el('td', {}, codeId(f.code)), el('td', {}, f.message, f.status === 'fail' ? ` (expected ${f.expected}, got ${f.actual})` : ''), el('td', { class: 'muted' }, f.spec)));
    }
    root.append(t);
  }
  return root;
}

/** Name, icon and MDS status of the credential's authenticator model; the AAGUID when MDS does not know it. */
function authenticatorCell(c: Obj): HTMLElement {
  const a: Obj | undefined = c.authenticator;
  const box = el('div', { class: 'authenticator' });
  if (a?.icon) {
    const img = el('img', { class: 'icon', alt: '', width: '24', height: '24' });
    img.src = a.icon; // the server passes raster data: URIs only; the CSP allows nothing else
    box.append(img);
  }
  box.append(el('span', { class: 'name' }, a ? a.name : 'not in MDS'));
  if (a?.status) box.append(el('span', { class: `status-badge ${a.compromised ? 'bad' : a.certified ? 'ok' : 'warn'}` }, a.status));
  box.append(el('code', { class: 'aaguid' }, c.aaguid));
  return box;
}

export function renderCredentials(creds: Obj[], onDelete: (id: string) => void): HTMLElement {
  if (!creds.length) return el('p', { class: 'muted' }, 'No credentials registered yet.');
  const t = el('table', { 'data-testid': 'credential-list' });
  t.append(el('tr', {}, ...['user', 'authenticator', 'credential ID', 'alg', 'fmt', 'counter', 'flags', 'last used', ''].map((h) => el('th', {}, h))));
  for (const c of creds) {
    const del = el('button', { class: 'danger', type: 'button', 'data-credential-id': c.id }, 'delete');
    del.addEventListener('click', () => onDelete(c.id));
    t.append(el('tr', { 'data-testid': 'credential-row' },
      el('td', {}, c.username),
      el('td', { 'data-testid': 'authenticator' }, authenticatorCell(c)),
      el('td', {}, el('code', {}, c.id.length > 22 ? `${c.id.slice(0, 22)}…` : c.id)),
      el('td', {}, algLabel(c.alg)),
      el('td', {}, c.fmt),
      el('td', {}, String(c.counter), c.counterRegressions ? el('strong', { class: 'bad' }, ` (${c.counterRegressions} regression${c.counterRegressions > 1 ? 's' : ''})`) : ''),
      el('td', {}, `${c.discoverable === true ? 'rk ' : ''}${c.backupEligible ? 'BE ' : ''}${c.backupState ? 'BS' : ''}`),
      el('td', {}, c.lastUsedAt ?? 'never'),
      el('td', {}, del)));
  }
  // seven columns do not fit a phone: the table scrolls sideways in its box, the page does not
  return el('div', { class: 'wide' }, t);
}
