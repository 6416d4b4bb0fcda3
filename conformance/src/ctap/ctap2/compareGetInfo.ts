import type { AuthenticatorInfo } from './getInfo.ts';
import { getInfoToJson } from './getInfo.ts';

/** One member of authenticatorGetInfo, as the metadata statement declares it and as the key answers. */
export interface GetInfoComparison {
  member: string;
  declared: unknown;
  actual: unknown;
  /**
   * same; differs (the statement must be fixed, or the firmware); state (differs in a way the
   * key's setup explains: a PIN set, a fingerprint enrolled, credentials stored);
   * only-declared / only-actual (one side leaves the member out)
   */
  verdict: 'same' | 'differs' | 'state' | 'only-declared' | 'only-actual';
  note?: string;
}

/** Options whose value follows the key's setup, not its model (CTAP 2.1 §6.4: false means supported, not yet configured). */
const STATE_OPTIONS = new Set(['clientPin', 'uv', 'bioEnroll', 'userVerificationMgmtPreview', 'ep', 'alwaysUv', 'noMcGaPermissionsWithClientPin', 'makeCredUvNotRqd']);
/**
 * Members that change as the key is used or set up (authenticatorConfig: longTouchForReset,
 * pinComplexityPolicy), or with every answer (CTAP 2.3 encIdentifier and encCredStoreState carry a
 * fresh IV).
 */
const STATE_MEMBERS = new Set(['remainingDiscoverableCredentials', 'forcePINChange', 'minPINLength', 'uvCountSinceLastPinEntry', 'encIdentifier', 'encCredStoreState', 'longTouchForReset', 'pinComplexityPolicy']);
/** Lists compared as sets. */
const SETS = new Set(['versions', 'extensions', 'transports', 'pinUvAuthProtocols', 'attestationFormats', 'transportsForReset', 'vendorPrototypeConfigCommands', 'authenticatorConfigCommands']);

const canonical = (member: string, v: unknown): unknown => {
  if (v === undefined || v === null) return undefined;
  if (SETS.has(member) && Array.isArray(v)) return [...new Set(v.map(String))].sort();
  if (member === 'algorithms' && Array.isArray(v)) return v.map((a) => `${(a as { type?: string }).type ?? 'public-key'}:${(a as { alg?: number }).alg}`).sort();
  if (member === 'aaguid' && typeof v === 'string') return v.replace(/-/g, '').toLowerCase();
  return v;
};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** an AAGUID as a person and a script read it everywhere: 8-4-4-4-12 (statements write 32 hex digits) */
const shown = (member: string, v: unknown): unknown => {
  if (member !== 'aaguid' || typeof v !== 'string') return v;
  const h = v.replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(h) ? `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` : v;
};

/**
 * The statement's authenticatorGetInfo against the key's own, member by member (FIDO MDS 3.0 §4:
 * the statement carries the key's getInfo). Every difference is named; options are compared one
 * by one, and the ones that follow the key's setup are told apart from real differences.
 */
export function compareGetInfo(declared: Record<string, unknown> | undefined, actual: AuthenticatorInfo): GetInfoComparison[] {
  const act = getInfoToJson(actual);
  const dec = declared ?? {};
  const out: GetInfoComparison[] = [];
  const members = [...new Set([...Object.keys(dec), ...Object.keys(act)])];
  for (const member of members) {
    if (member === 'options') continue;
    const d = canonical(member, shown(member, dec[member]));
    const a = canonical(member, shown(member, act[member]));
    if (d === undefined && a === undefined) continue;
    if (d === undefined) out.push({ member, declared: undefined, actual: shown(member, act[member]), verdict: STATE_MEMBERS.has(member) ? 'state' : 'only-actual' });
    else if (a === undefined) out.push({ member, declared: shown(member, dec[member]), actual: undefined, verdict: 'only-declared' });
    else if (same(d, a)) out.push({ member, declared: shown(member, dec[member]), actual: shown(member, act[member]), verdict: 'same' });
    else out.push({ member, declared: shown(member, dec[member]), actual: shown(member, act[member]), verdict: STATE_MEMBERS.has(member) ? 'state' : 'differs', note: SETS.has(member) ? setDifference(d as string[], a as string[]) : undefined });
  }
  const dOpts = (dec.options ?? {}) as Record<string, unknown>;
  const aOpts = (act.options ?? {}) as Record<string, unknown>;
  for (const o of [...new Set([...Object.keys(dOpts), ...Object.keys(aOpts)])].sort()) {
    const member = `options.${o}`;
    const d = dOpts[o];
    const a = aOpts[o];
    if (d === undefined) out.push({ member, declared: undefined, actual: a, verdict: 'only-actual' });
    else if (a === undefined) out.push({ member, declared: d, actual: undefined, verdict: 'only-declared' });
    else if (d === a) out.push({ member, declared: d, actual: a, verdict: 'same' });
    else out.push({ member, declared: d, actual: a, verdict: STATE_OPTIONS.has(o) ? 'state' : 'differs', note: STATE_OPTIONS.has(o) ? `${o} is ${a} on this key and ${d} in the statement: both mean "supported"; the value follows whether it is set up` : undefined });
  }
  return out;
}

function setDifference(declared: string[], actual: string[]): string {
  const missing = declared.filter((x) => !actual.includes(x));
  const extra = actual.filter((x) => !declared.includes(x));
  return [missing.length ? `declared, not on the key: ${missing.join(', ')}` : '', extra.length ? `on the key, not declared: ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
}

/** The differences that mean the statement and the key disagree (not the setup-dependent ones). */
export function getInfoDisagreements(c: readonly GetInfoComparison[]): GetInfoComparison[] {
  return c.filter((x) => x.verdict === 'differs' || x.verdict === 'only-declared' || x.verdict === 'only-actual');
}
