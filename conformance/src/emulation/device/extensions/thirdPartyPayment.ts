import type { DeviceExtension } from './DeviceExtension.ts';

export const THIRD_PARTY_PAYMENT_FAULTS = {
  thirdPartyPaymentNotReported: 'thirdPartyPayment answered false for a credential made for payment',
} as const;

/**
 * thirdPartyPayment (CTAP 2.2 §12.9, SPC): `true` at makeCredential marks the credential as
 * usable for payments by a third party; getAssertion with `true` reports whether it is.
 */
export const thirdPartyPayment: DeviceExtension = {
  name: 'thirdPartyPayment',
  supported: (f) => f.thirdPartyPayment,
  makeCredential(_d, input, x) {
    if (input !== true) return;
    x.cred.thirdPartyPayment = true;
    x.signed.set('thirdPartyPayment', true);
  },
  getAssertion(d, input, x) {
    if (input !== true) return;
    x.signed.set('thirdPartyPayment', !!x.cred.thirdPartyPayment && !d.faults.thirdPartyPaymentNotReported);
  },
};
