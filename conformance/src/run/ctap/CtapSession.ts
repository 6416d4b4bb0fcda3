import crypto from 'node:crypto';
import { isVerifiableAlgorithm } from '../../webauthn/coseKey.ts';
import type { CtapDevice } from '../../ctap/CtapDevice.ts';
import { CtapError } from '../../ctap/CtapError.ts';
import { CTAP_STATUS, statusName } from '../../ctap/status.ts';
import { KEEPALIVE } from '../../ctap/constants.ts';
import type { CallOptions } from '../../ctap/connection/CallOptions.ts';
import type { AuthenticatorInfo } from '../../ctap/ctap2/getInfo.ts';
import type { GetAssertionParams, MakeCredentialParams, MakeCredentialResult, GetAssertionResult } from '../../ctap/ctap2/Ctap2Client.ts';
import { obtainToken, pinUvAuthParam, type PinUvAuthToken } from '../../ctap/ctap2/clientPin.ts';
import { pinProtocol, type PinUvAuthProtocol } from '../../ctap/ctap2/pinProtocol.ts';
import { chooseVerification, type Verification } from '../../ctap/ctap2/chooseVerification.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { toBase64url } from '../../encoding/base64url.ts';
import type { KeyChanges, PinSetupProbe, StatusName } from '../../checks/ctap/CtapEvidence.ts';

/** The RP ID the probes create their own credentials under (never a real site). */
export const PROBE_RP_ID = 'ctap.fido2-harness.test';
/** Every user handle the harness creates starts with these bytes: how cleanup tells its credentials from a person's. */
export const HARNESS_USER_PREFIX = new TextEncoder().encode('fido2-harness-');
export const isHarnessUser = (id: Uint8Array) => id.length >= HARNESS_USER_PREFIX.length && HARNESS_USER_PREFIX.every((b, i) => id[i] === b);

/** "OK" or the status by name and number; a protocol error or timeout by its code and message. */
export function statusOf(e: unknown): StatusName {
  if (e === undefined) return 'OK';
  if (e instanceof CtapError) return statusName(e.ctapStatus);
  if (e instanceof HarnessError) return `${e.code}: ${e.message}`;
  return (e as Error)?.message ?? String(e);
}
export const statusIs = (s: StatusName | undefined, name: keyof typeof CTAP_STATUS) => s?.startsWith(`${name} (`) === true;


export interface CtapSessionOptions {
  device: CtapDevice;
  /** the key's PIN, as the person gave it: used for tokens, never logged or stored */
  pin?: string;
  /**
   * the person allowed the probes to change the key and put it back (--destructive): PIN
   * blocking, the PIN policy, the configuration, fingers, large blobs
   */
  destructive?: boolean;
  /** the person allowed authenticatorReset (--allow-reset): the key ends up empty */
  allowReset?: boolean;
  /** what a person must do now (replug the key, a finger on the sensor), in plain words */
  onPrompt?: (message: string) => void;
  /** false: never power-cycle the key (no person to replug it, no hook); the probes that need one say so */
  powerCycles?: boolean;
  /** how long after power-up a reset is refused (CTAP 2.1 §6.6: 10 s); the reset probe waits this long plus a margin */
  resetWindowMs?: number;
  /** how long silence is waited for where silence is the right answer (default 300 ms; a key in this process answers at once) */
  quietMs?: number;
  /** "touch the key now" (the key sent KEEPALIVE UP_NEEDED) */
  onTouch?: () => void;
  /** how long a probe waits for a touch */
  userPresenceTimeoutMs?: number;
  /** the run's RP ID: the plan's credentials live there */
  runRpId: string;
  /** the same key over its other interface (USB beside NFC): opened and closed by the caller */
  otherInterface?: { device: CtapDevice; transport: string };
}

/**
 * One probing session on a connected key: its getInfo, how tokens are made, the commands the
 * probes send with the person's touch prompts wired in, and the list of what was created on the
 * key (so the run can remove it and say what it changed).
 */
export class CtapSession {
  readonly device: CtapDevice;
  readonly o: CtapSessionOptions;
  readonly changes: KeyChanges = { created: [], deleted: [], left: [] };
  /** how --set-pin went (or why it did not run): the pinSetup probe's record */
  pinSetup?: PinSetupProbe;

  constructor(o: CtapSessionOptions) {
    if (!o.device.ctap2 || !o.device.info) throw new HarnessError('BAD_USAGE', 'the CTAP probes need a CTAP2 key');
    this.device = o.device;
    this.o = o;
  }

  /** getInfo as the CTAP2 client last read it: always current (it reads it again after setPIN, config, reset…) */
  /**
   * The algorithm the probes create credentials with: the first one the key lists in getInfo
   * (0x0a, its order of preference) that the harness verifies; ES256 when it lists none.
   */
  get probeAlgorithm(): number {
    return this.info.algorithms.find((a) => a.type === 'public-key' && isVerifiableAlgorithm(a.alg))?.alg ?? -7;
  }

  get info(): AuthenticatorInfo {
    return this.device.info!;
  }

  get ctap2() {
    return this.device.ctap2!;
  }

  get pinGiven(): boolean {
    return this.o.pin !== undefined;
  }

  /**
   * Why this probe may not change the key, when the person did not allow it: the probe's record
   * is then this skip ("not run: needs --destructive") and nothing is sent.
   */
  gate(flag: '--destructive' | '--allow-reset', what: string): { skipped: string; notRun: string } | undefined {
    const allowed = flag === '--destructive' ? this.o.destructive || this.o.allowReset : this.o.allowReset;
    return allowed ? undefined : { skipped: what, notRun: flag };
  }

  /**
   * Why a PIN probe cannot run, or undefined when the key has a PIN: a key without client PIN
   * does not have the feature (not applicable); one that supports it with no PIN set yet gets
   * one only from the person (--set-pin), so the probe is not run and not held against it.
   */
  pinGate(): { skipped: string; notApplicable?: boolean; notRun?: string } | undefined {
    const cp = this.info.options.clientPin;
    if (cp === true) return undefined;
    if (cp === undefined) return { skipped: 'the key has no client PIN', notApplicable: true };
    return { skipped: 'the key has no PIN set yet', notRun: '--set-pin' };
  }

  /**
   * Why the key cannot be power-cycled in this run (the record a probe that needs one returns),
   * or undefined when it can. Off because nobody can replug the key: not run, not held against it.
   */
  powerCycleGate(what: string): { skipped: string; notRun?: string } | undefined {
    if (this.o.powerCycles === false) return { skipped: `${what} needs a power cycle, and power cycles are off in this run (over USB: run in a terminal, or tick "replug when asked" on the guided page; or give --power-cycle-hook URL)`, notRun: 'a power cycle' };
    if (!this.device.power) return { skipped: `${what} needs a power cycle: ${this.device.description} cannot be power-cycled by the harness (give --power-cycle-hook URL)` };
    return undefined;
  }

  /** Whether the key can be power-cycled in this run. */
  get canPowerCycle(): boolean {
    return this.powerCycleGate('')?.skipped === undefined;
  }

  /** Power-cycles the key (asking the person when it is theirs to do) and counts it in the report. */
  async powerCycle(why: string): Promise<void> {
    const how = this.device.power?.how;
    // the person's first instruction says why (the page shows one line at a time)
    let first = true;
    await this.device.powerCycle({
      prompt: (m) => {
        this.o.onPrompt?.(first && how === 'person' ? `${m}. Why: ${why}` : m);
        first = false;
      },
    });
    const pc = (this.changes.powerCycles ??= { count: 0, how: how ?? 'in-process' });
    pc.count++;
  }

  /** Records a change made to the key beyond credentials, and whether it was put back. */
  changed(what: string): { restored(): void } {
    const entry = { what, restored: false };
    (this.changes.actions ??= []).push(entry);
    return { restored: () => { entry.restored = true; } };
  }

  /** Call options with the touch prompt (unless `prompt` is false); `keepalives` collects what the key sent. */
  call(extra: Partial<CallOptions> = {}, o: { prompt?: boolean } = {}): CallOptions & { keepalives: number[] } {
    const keepalives: number[] = [];
    let prompted = o.prompt === false;
    return {
      keepalives,
      userPresenceTimeoutMs: this.o.userPresenceTimeoutMs,
      ...extra,
      onKeepalive: (s) => {
        keepalives.push(s);
        if (s === KEEPALIVE.UP_NEEDED && !prompted) {
          prompted = true;
          this.o.onTouch?.();
        }
        extra.onKeepalive?.(s);
      },
    };
  }

  /** The PIN/UV auth protocols the key lists that the harness speaks (1 when a CTAP 2.0 key lists none but has clientPin). */
  protocols(): PinUvAuthProtocol[] {
    const offered = this.info.pinUvAuthProtocols.length ? this.info.pinUvAuthProtocols : this.info.options.clientPin !== undefined ? [1] : [];
    return offered.map((v) => pinProtocol(v)).filter((p): p is PinUvAuthProtocol => p !== undefined);
  }

  /** How a token is had on this key (chooseVerification), or why none can be. `preferPin`: the PIN first when the person gave one. */
  verification(protocol?: PinUvAuthProtocol, preferPin = false, permissions?: number): Verification {
    return chooseVerification(this.info, { pinAvailable: this.pinGiven, preferPin, protocol, permissions });
  }

  /** A fresh token with these permissions (CTAP 2.1 §6.5.5.7), or undefined with the reason in `why`. */
  async token(permissions: number, rpId: string | undefined, protocol?: PinUvAuthProtocol, preferPin = false): Promise<{ token?: PinUvAuthToken; uvOption?: boolean; why?: string }> {
    const v = this.verification(protocol, preferPin, permissions);
    if (v.method === 'none') return { why: v.reason };
    const t = await obtainToken(this.ctap2, v, { permissions, rpId, pin: this.o.pin, call: this.call() });
    return t === 'uv-option' ? { uvOption: true } : { token: t };
  }

  /**
   * What makes one makeCredential or getAssertion user-verified here: a fresh token (a token is
   * good for one request that tests presence, CTAP 2.1 §6.1.2 step 14.4), or the uv option.
   */
  async verified(permissions: number, rpId = PROBE_RP_ID): Promise<PinUvAuthToken | 'uv-option' | undefined> {
    const t = await this.token(permissions, rpId).catch(() => ({ token: undefined, uvOption: false }));
    return t.token ?? (t.uvOption ? 'uv-option' : undefined);
  }

  /**
   * makeCredential on the probes' RP with a fresh user, ES256. `verified`: with a token (or the uv
   * option); a discoverable credential is recorded so the run removes it and reports it.
   */
  async makeCredential(p: { by: string; alg?: number; rk?: boolean; extensions?: MakeCredentialParams['extensions']; verified?: PinUvAuthToken | 'uv-option' | 'auto' | 'none'; excludeList?: MakeCredentialParams['excludeList']; rpId?: string; up?: boolean }, call = this.call()): Promise<MakeCredentialResult & { credentialId: Uint8Array }> {
    const rpId = p.rpId ?? PROBE_RP_ID;
    const clientDataHash = new Uint8Array(crypto.randomBytes(32));
    // a protected key wants verification for a discoverable credential, and for any unless it says
    // makeCredUvNotRqd; with alwaysUv, for every one (CTAP 2.1 §6.1.2 steps 6-8)
    const o = this.info.options;
    const protectedKey = o.clientPin === true || o.uv === true;
    const needs = protectedKey && (p.rk || o.makeCredUvNotRqd !== true || o.alwaysUv === true);
    const verified = p.verified === 'none' ? undefined : p.verified === undefined || p.verified === 'auto' ? (needs ? await this.verified(0x01, rpId) : undefined) : p.verified;
    const token = verified && verified !== 'uv-option' ? verified : undefined;
    const r = await this.ctap2.makeCredential({
      clientDataHash,
      rp: { id: rpId, name: 'fido2-harness CTAP probes' },
      user: { id: Uint8Array.from([...new TextEncoder().encode('fido2-harness-probe-'), ...crypto.randomBytes(8)]), name: `probe-${p.by}`, displayName: `fido2-harness probe (${p.by})` },
      pubKeyCredParams: [{ type: 'public-key', alg: p.alg ?? this.probeAlgorithm }],
      excludeList: p.excludeList,
      extensions: p.extensions,
      options: { rk: p.rk || undefined, uv: verified === 'uv-option' ? true : undefined, ...(p.up === false ? { up: false } : {}) },
      ...(token ? { pinUvAuthParam: pinUvAuthParam(token, clientDataHash), pinUvAuthProtocol: token.protocol.version } : {}),
    }, call);
    const credentialId = credentialIdOf(r.authData);
    if (p.rk) this.changes.created.push({ rpId, credentialId: toBase64url(credentialId), by: `probe ${p.by}` });
    return { ...r, credentialId };
  }


  async getAssertion(p: { credentialIds?: Uint8Array[]; extensions?: GetAssertionParams['extensions']; verified?: PinUvAuthToken | 'uv-option'; up?: boolean; rpId?: string; clientDataHash?: Uint8Array }, call = this.call()): Promise<GetAssertionResult> {
    const clientDataHash = p.clientDataHash ?? new Uint8Array(crypto.randomBytes(32));
    const token = p.verified && p.verified !== 'uv-option' ? p.verified : undefined;
    return this.ctap2.getAssertion({
      rpId: p.rpId ?? PROBE_RP_ID,
      clientDataHash,
      allowList: p.credentialIds?.map((id) => ({ type: 'public-key' as const, id })),
      extensions: p.extensions,
      options: { ...(p.up === false ? { up: false } : {}), ...(p.verified === 'uv-option' ? { uv: true } : {}) },
      ...(token ? { pinUvAuthParam: pinUvAuthParam(token, clientDataHash), pinUvAuthProtocol: token.protocol.version } : {}),
    }, call);
  }
}

/** The credential ID in authenticator data with attested credential data (WebAuthn L3 §6.5.1). */
export function credentialIdOf(authData: Uint8Array): Uint8Array {
  if (authData.length < 55 || !(authData[32]! & 0x40)) throw new HarnessError('DEVICE_PROTOCOL', 'makeCredential answered authenticator data without attested credential data');
  const n = (authData[53]! << 8) | authData[54]!;
  return authData.subarray(55, 55 + n);
}

/** Runs `fn`; its status name on failure, "OK" on success (with the value). */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ status: StatusName; value?: T; error?: unknown }> {
  try {
    return { status: 'OK', value: await fn() };
  } catch (e) {
    return { status: statusOf(e), error: e };
  }
}
