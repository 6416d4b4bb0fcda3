import type { DeviceExtension } from './DeviceExtension.ts';

export const CRED_PROTECT_FAULTS = {
  credProtectNotEnforced: 'credProtect stored but not enforced',
} as const;

/**
 * credProtect (CTAP 2.1 §12.1): the level the RP asks for (1-3) is stored with the credential and
 * returned in the authenticator data; getAssertion and the excludeList honour it (the command
 * files apply it, this file only records it). A value outside 1-3 is not a level this key knows:
 * the input is ignored, as for an unknown extension.
 */
export const credProtect: DeviceExtension = {
  name: 'credProtect',
  supported: (f) => f.credProtect,
  makeCredential(_d, input, x) {
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 1 || input > 3) return;
    x.cred.credProtect = input;
    x.signed.set('credProtect', input);
  },
};
