import type { CtapDevice } from '../ctap/CtapDevice.ts';
import { WebAuthnClient } from '../platform/WebAuthnClient.ts';
import { WebAuthnClientError } from '../platform/WebAuthnClientError.ts';
import { toBase64url } from '../encoding/base64url.ts';
import type { RunEvidence } from '../checks/RunEvidence.ts';
import { userIdFor } from '../checks/ceremonyPlan.ts';
import { RunInterrupted, registeredCredentials, runPlan, type Perform } from './runPlan.ts';
import { CtapSession } from './ctap/CtapSession.ts';
import { cleanupKey, removeHarnessCredentials, prepareKey } from './ctap/keyCare.ts';
import { keyStoppedAnswering, probeCtap, startEvidence } from './ctap/probeCtap.ts';
import { probeReset } from './ctap/probes/probeReset.ts';
import { statusOf } from './ctap/CtapSession.ts';
import type { CtapProbeName } from '../checks/ctap/CtapEvidence.ts';

export const CONFORMANCE_RP = { id: 'conformance.fido2-harness.test', name: 'fido2-harness conformance' } as const;
export const CONFORMANCE_ORIGIN = 'https://conformance.fido2-harness.test';

export interface CtapRunOptions {
  device: CtapDevice;
  /** how the key was reached, for the report ("udp:127.0.0.1:8111", "usb:…", "in-process") */
  transport: string;
  label: string;
  via?: RunEvidence['subject']['via'];
  rp?: { id: string; name: string };
  origin?: string;
  /** the key's PIN as the person gave it; never logged or stored */
  pin?: string;
  /** set `pin` as the PIN of a key that has none (--set-pin) */
  setPin?: boolean;
  /** the destructive groups: PIN blocking and policy, configuration, fingers, large blobs (--destructive) */
  destructive?: boolean;
  /** authenticatorReset (--allow-reset): the key ends up empty */
  allowReset?: boolean;
  /** replug prompts, finger prompts: what the person must do now */
  onPrompt?: (message: string) => void;
  /** false: the key is never power-cycled (the probes that need one say so) */
  powerCycles?: boolean;
  /** the key's reset window, when it is not CTAP's 10 seconds (the emulated key's profile) */
  resetWindowMs?: number;
  /** how long silence is waited for where silence is the right answer (default 300 ms) */
  quietMs?: number;
  /** "touch the key now" */
  onTouch?: () => void;
  /** progress, for a person watching: each plan step and probe as it starts */
  onProgress?: (what: string) => void;
  /** the MDS entry for the key's AAGUID (getInfo's), as a run snapshot */
  metadataFor?: (aaguid: string) => RunEvidence['mds'];
  /**
   * a key with no PIN set and no built-in UV cannot show half the catalogue: stop and say so
   * (default), or run anyway and let those checks fail (the emulated key: there is no person to ask)
   */
  refuseUnverifiable?: boolean;
  /** false: the ceremony plan only (no CTAP probes, nothing judged in the ctap area) */
  probes?: boolean;
  userPresenceTimeoutMs?: number;
  /** the same key over its other interface (a key with USB and NFC): credentials must work over both; opened and closed by the caller */
  otherInterface?: { device: CtapDevice; transport: string };
  now?: () => Date;
}

/**
 * A conformance run on a key over CTAP (what `check --ctap`, `check --emulate` and the guided
 * page's "test over USB" run): the ceremony plan through the WebAuthn client, exactly as a
 * browser would perform it, then the CTAP probes, then the key put back as it was (the
 * harness's credentials deleted, the report saying what changed). A key that stops answering
 * ends the run where it was, with what ran kept (`interrupted` / `ctap.brokenOff`).
 */
export async function runOverCtap(o: CtapRunOptions): Promise<RunEvidence> {
  const rp = o.rp ?? CONFORMANCE_RP;
  const origin = o.origin ?? CONFORMANCE_ORIGIN;
  const s = new CtapSession({ device: o.device, pin: o.pin, destructive: o.destructive, allowReset: o.allowReset, onPrompt: o.onPrompt, powerCycles: o.powerCycles, resetWindowMs: o.resetWindowMs, quietMs: o.quietMs, onTouch: o.onTouch, runRpId: rp.id, userPresenceTimeoutMs: o.userPresenceTimeoutMs, otherInterface: o.otherInterface });
  const probing = o.probes !== false;
  if (probing) {
    o.onProgress?.('preparing the key (PIN check, credentials an earlier run left)');
    await prepareKey(s, { setPin: o.setPin, refuseUnverifiable: o.refuseUnverifiable });
  }
  const ev = startEvidence(s, o.transport);
  let want: string | undefined;
  const client = new WebAuthnClient({
    device: o.device,
    pin: () => o.pin,
    onTouch: o.onTouch,
    userPresenceTimeoutMs: o.userPresenceTimeoutMs,
    chooseAccount: (accounts) => Math.max(0, accounts.findIndex((a) => toBase64url(a.id) === want)),
  });
  const perform: Perform = async (step, options) => {
    o.onProgress?.(step.step);
    try {
      if (step.kind === 'registration') return { response: await client.create(options, origin) };
      want = step.account ? userIdFor(step.account) : undefined;
      return { response: await client.get(options, origin) };
    } catch (e) {
      if (keyStoppedAnswering(e)) throw new RunInterrupted(`the key stopped answering: ${(e as Error).message}`, { cause: e });
      return { error: { name: e instanceof WebAuthnClientError ? e.domName : 'NotAllowedError', message: (e as Error).message } };
    }
  };
  const run = await runPlan({ rp, origin, subject: { label: o.label, via: o.via ?? 'ctap' }, now: o.now, perform });
  run.mds = o.metadataFor?.(s.info.aaguidText);
  // the plan's discoverable accounts: created on the key, so removed at the end
  const accounts = registeredCredentials(run);
  for (const a of [1, 2] as const) if (accounts[a]) s.changes.created.push({ rpId: rp.id, credentialId: accounts[a]!, by: `register-account-${a}` });
  if (!probing) return run;
  run.ctap = ev;
  if (run.interrupted) {
    ev.brokenOff = run.interrupted;
  } else {
    await probeCtap(s, ev, { planCredentials: [accounts[1], accounts[2]].filter((x): x is string => !!x), onProbe: (n: CtapProbeName) => o.onProgress?.(`probe ${n}`) });
  }
  if (!ev.brokenOff) {
    o.onProgress?.('removing the credentials this run created');
    try {
      await cleanupKey(s);
      ev.getInfoAfter = toBase64url((await s.ctap2.getInfo(s.call())).raw);
    } catch (e) {
      ev.brokenOff = `the key stopped answering while the harness removed its credentials: ${(e as Error).message}`;
    }
  }
  // the reset, when the person allowed it, is the run's last act (after it there is nothing to clean up)
  if (!ev.brokenOff) {
    o.onProgress?.('probe reset');
    try {
      const r = await probeReset(s);
      ev.probes.reset = r;
      if (r.late === 'OK' || r.inWindow === 'OK') {
        for (const c of s.changes.created) if (!s.changes.deleted.some((d) => d.credentialId === c.credentialId)) s.changes.deleted.push({ ...c, by: 'the reset' });
        s.changes.left.length = 0;
        delete s.changes.unlisted;
        delete s.changes.pinRetries;
        ev.getInfoAfter = toBase64url((await s.ctap2.getInfo(s.call())).raw);
      } else {
        // refused (over a transport transportsForReset leaves out, or wrongly): the probe's witness goes like the rest
        const r2 = await removeHarnessCredentials(s);
        const accounted = (id: string) => [s.changes.deleted, s.changes.left, s.changes.unlisted ?? []].some((l) => l.some((x) => x.credentialId === id));
        for (const c of s.changes.created) {
          if (accounted(c.credentialId)) continue;
          if (r2.removed.some((x) => x.credentialId === c.credentialId)) s.changes.deleted.push(c);
          else s.changes.left.push({ ...c, reason: r2.failed.find((f) => f.credentialId === c.credentialId)?.reason ?? r2.unavailable ?? 'credential management did not list it' });
        }
      }
    } catch (e) {
      ev.probes.reset = { error: statusOf(e) };
      if (keyStoppedAnswering(e)) ev.brokenOff = `the key stopped answering during the reset probe: ${(e as Error).message}`;
    }
  }
  if (ev.brokenOff) {
    for (const c of s.changes.created) if (!s.changes.deleted.some((d) => d.credentialId === c.credentialId) && !s.changes.left.some((l) => l.credentialId === c.credentialId)) s.changes.left.push({ ...c, reason: 'the key stopped answering before it could be removed' });
  }
  return run;
}
