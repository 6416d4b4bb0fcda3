import type { DeviceExtension } from './DeviceExtension.ts';

/**
 * pinComplexityPolicy (CTAP 2.3): whether the key enforces its PIN complexity policy, told (like
 * minPinLength) only to the RP IDs in minPinLengthRPIDs.
 */
export const pinComplexityPolicy: DeviceExtension = {
  name: 'pinComplexityPolicy',
  supported: (f) => f.pinComplexityPolicy !== false,
  makeCredential(d, input, x) {
    if (input !== true || !d.state.minPinLengthRpIds.includes(x.rpId)) return;
    x.signed.set('pinComplexityPolicy', d.state.pinComplexity);
  },
};

/**
 * The emulated key's complexity policy (what pinComplexityPolicyURL describes): not one code point
 * repeated, not a run of consecutive code points up or down ("1111", "1234", "9876").
 */
export function pinMeetsComplexity(pin: string): boolean {
  const cps = [...pin].map((c) => c.codePointAt(0)!);
  if (cps.every((c) => c === cps[0])) return false;
  const steps = cps.slice(1).map((c, i) => c - cps[i]!);
  if (steps.every((s) => s === 1) || steps.every((s) => s === -1)) return false;
  return true;
}
