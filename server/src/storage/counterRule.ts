/**
 * WebAuthn L3 §7.2 step 22: a received counter is acceptable when it is greater than the
 * stored one, or when both are 0 (an authenticator without a counter). Every store applies
 * this rule atomically with the write.
 */
export function counterAccepted(stored: number, received: number): boolean {
  return received > stored || (received === 0 && stored === 0);
}
