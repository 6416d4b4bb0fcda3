import { beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from '../webauthn/parseResponse.ts';
import { analyzeRegistration } from './analyzeRegistration.ts';
import { analyzeAssertion } from './analyzeAssertion.ts';
import { decodeCbor, type CborValue } from '../cbor/decodeCbor.ts';
import { encodeCbor } from '../cbor/encodeCbor.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { seededRandom } from '../testing/seededRandom.ts';

/**
 * 100,000 malformed inputs (random bytes, byte-level and CBOR-structure-aware mutations of
 * valid responses, JSON-shape mutations) through parse + full analysis: each ends in a
 * result or a HarnessError, never another exception, and no single input takes long.
 * Deterministic (seeded), so a failure names an input that can be replayed.
 */
const N = 100_000;
// a hang or catastrophic backtracking takes seconds; CI runs this beside the browser tests on 2 cores
const MAX_MS_PER_INPUT = 2000;

const ORIGIN = 'https://fuzz.example';
const OPTS = { challenge: 'ZnV6eg', attestation: 'direct', rp: { id: 'fuzz.example' }, user: { id: 'dQ' }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }, { alg: -8, type: 'public-key' }, { alg: -257, type: 'public-key' }] };
const seeds: any[] = [];
let assertion: any;
let assertionKey: Uint8Array;

beforeAll(async () => {
  const ca = await AttestationCa.create();
  const leaf = await ca.issueLeaf({ aaguid: '01234567-89ab-cdef-0123-456789abcdef' });
  for (const k of [
    new SoftAuthenticator(),
    new SoftAuthenticator({ attestation: 'packed-self', algorithms: [-8] }),
    new SoftAuthenticator({ attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der], aaguid: Buffer.from('0123456789abcdef0123456789abcdef', 'hex') }),
  ]) seeds.push(await k.create(OPTS, ORIGIN));
  const k = new SoftAuthenticator();
  const reg = await k.create(OPTS, ORIGIN);
  assertionKey = parseRegistrationResponse(reg).authData.attestedCredentialData!.publicKeyBytes;
  assertion = await k.get({ challenge: 'ZnV6eg', rpId: 'fuzz.example', allowCredentials: [{ id: reg.id }] }, ORIGIN);
});

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

function randomCbor(r: () => number, depth = 0): CborValue {
  const t = Math.floor(r() * (depth > 2 ? 6 : 8));
  switch (t) {
    case 0: return Math.floor(r() * 2 ** 32) - 2 ** 31;
    case 1: return Buffer.from(Array.from({ length: Math.floor(r() * 80) }, () => Math.floor(r() * 256)));
    case 2: return 'x'.repeat(Math.floor(r() * 40));
    case 3: return r() < 0.5;
    case 4: return null;
    case 5: return r() * 1e6;
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomCbor(r, depth + 1));
    default: return new Map(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [r() < 0.5 ? i - 2 : `k${i}`, randomCbor(r, depth + 1)]));
  }
}

function mutateBytes(r: () => number, b: Uint8Array): Uint8Array {
  const m = Buffer.from(b);
  const op = Math.floor(r() * 5);
  const at = Math.floor(r() * Math.max(1, m.length));
  if (op === 0) { m[at] = Math.floor(r() * 256); return m; }
  if (op === 1) return m.subarray(0, at);
  if (op === 2) return Buffer.concat([m.subarray(0, at), Buffer.from([Math.floor(r() * 256)]), m.subarray(at)]);
  if (op === 3) return Buffer.concat([m.subarray(0, at), m.subarray(Math.min(m.length, at + 1 + Math.floor(r() * 8)))]);
  const len = Math.floor(r() * 16);
  return Buffer.concat([m.subarray(0, at), m.subarray(at, at + len), m.subarray(at)]);
}

function mutateStructure(r: () => number, att: Uint8Array): Uint8Array {
  const m = decodeCbor(att, 'seed').value as Map<string, any>;
  const which = Math.floor(r() * 4);
  const copy = new Map(m);
  if (which === 0) copy.set('fmt', r() < 0.5 ? randomCbor(r) : ['packed', 'tpm', 'android-key', 'android-safetynet', 'fido-u2f', 'apple', 'none', 'x'.repeat(40)][Math.floor(r() * 8)]);
  else if (which === 1) {
    const stmt = new Map(m.get('attStmt') instanceof Map ? m.get('attStmt') : []);
    const keys = ['alg', 'sig', 'x5c', 'ver', 'certInfo', 'pubArea', 'response', 'ecdaaKeyId'];
    stmt.set(keys[Math.floor(r() * keys.length)]!, r() < 0.3 ? [randomCbor(r)] : randomCbor(r));
    copy.set('attStmt', stmt);
  } else if (which === 2) copy.set('authData', mutateBytes(r, m.get('authData')));
  else copy.delete(['fmt', 'attStmt', 'authData'][Math.floor(r() * 3)]!);
  return encodeCbor(copy);
}

function classify(fn: () => unknown): 'ok' | 'bad-input' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof HarnessError) return 'bad-input';
    throw e;
  }
}

describe('fuzz', () => {
  it(`${N.toLocaleString()} malformed inputs: a result or a bad-input error, never a crash or a hang`, () => {
    const r = seededRandom(20261123);
    const tally = { ok: 0, 'bad-input': 0 };
    let slowest = 0;
    const at = new Date(Date.UTC(2030, 0, 1));
    for (let i = 0; i < N; i++) {
      const kind = r();
      const seed = seeds[Math.floor(r() * seeds.length)];
      let input: any;
      if (kind < 0.1) input = { ...seed, response: { ...seed.response, attestationObject: b64(Buffer.from(Array.from({ length: Math.floor(r() * 400) }, () => Math.floor(r() * 256)))) } };
      else if (kind < 0.5) input = { ...seed, response: { ...seed.response, attestationObject: b64(mutateBytes(r, Buffer.from(seed.response.attestationObject, 'base64url'))) } };
      else if (kind < 0.75) input = { ...seed, response: { ...seed.response, attestationObject: b64(mutateStructure(r, Buffer.from(seed.response.attestationObject, 'base64url'))) } };
      else if (kind < 0.85) input = { ...seed, response: { ...seed.response, clientDataJSON: b64(mutateBytes(r, Buffer.from(seed.response.clientDataJSON, 'base64url'))) } };
      else if (kind < 0.95) input = { ...assertion, response: { ...assertion.response, authenticatorData: b64(mutateBytes(r, Buffer.from(assertion.response.authenticatorData, 'base64url'))), signature: r() < 0.3 ? b64(mutateBytes(r, Buffer.from(assertion.response.signature, 'base64url'))) : assertion.response.signature } };
      else {
        const keys = ['id', 'rawId', 'type', 'response', 'clientExtensionResults'];
        input = { ...seed, [keys[Math.floor(r() * keys.length)]!]: randomCbor(r) instanceof Map ? {} : [null, 42, 'x', [], true][Math.floor(r() * 5)] };
      }
      const t = performance.now();
      try {
        const outcome = classify(() => {
          if (input.response?.authenticatorData !== undefined) {
            analyzeAssertion(parseAuthenticationResponse(input), { challenge: 'ZnV6eg', origins: [ORIGIN], rpId: 'fuzz.example', at, credentialPublicKey: assertionKey });
          } else {
            analyzeRegistration(parseRegistrationResponse(input), { challenge: 'ZnV6eg', origins: [ORIGIN], rpId: 'fuzz.example', at });
          }
        });
        tally[outcome]++;
      } catch (e) {
        throw new Error(`input #${i} raised ${(e as Error).stack}\n${JSON.stringify(input).slice(0, 2000)}`);
      }
      slowest = Math.max(slowest, performance.now() - t);
    }
    expect(tally.ok + tally['bad-input']).toBe(N);
    // both outcomes occur: the mutations reach deep into the analysis, not only the first parser
    expect(tally.ok).toBeGreaterThan(N / 20);
    expect(tally['bad-input']).toBeGreaterThan(N / 4);
    expect(slowest).toBeLessThan(MAX_MS_PER_INPUT);
  }, 300_000);
});
