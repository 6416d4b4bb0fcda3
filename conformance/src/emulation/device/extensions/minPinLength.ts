import type { DeviceExtension } from './DeviceExtension.ts';

export const MIN_PIN_LENGTH_FAULTS = {
  minPinLengthToAnyRp: 'the minimum PIN length told to an RP not in minPinLengthRPIDs',
} as const;

/**
 * minPinLength (CTAP 2.1 §12.4): the current minimum PIN length, told only to the RP IDs the
 * owner allowed (setMinPINLength minPinLengthRPIDs, or configured by the vendor); any other RP
 * gets no output.
 */
export const minPinLength: DeviceExtension = {
  name: 'minPinLength',
  supported: (f) => f.minPinLength > 0,
  makeCredential(d, input, x) {
    if (input !== true) return;
    if (!d.state.minPinLengthRpIds.includes(x.rpId) && !d.faults.minPinLengthToAnyRp) return;
    x.signed.set('minPinLength', d.state.minPinLength);
  },
};
