import crypto from 'node:crypto';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import { serializeLargeBlobArray } from '../../ctap/ctap2/largeBlobs.ts';
import type { DeviceContext } from './DeviceContext.ts';
import { refuse } from './params.ts';
import { MAX_UV_RETRIES } from './DeviceState.ts';

export const RESET_FAULTS = {
  resetWithoutPresence: 'authenticatorReset wipes the key without asking for a touch (§6.6)',
  resetWindowIgnored: 'authenticatorReset accepted long after power-up (§6.6: only within 10 seconds of it)',
  resetKeepsCredentials: 'authenticatorReset answers success and keeps the credentials',
  resetTransportIgnored: 'authenticatorReset done over a transport getInfo transportsForReset does not list',
} as const;

/**
 * authenticatorReset (CTAP 2.3 §6.6): only within the reset window after power-up
 * (CTAP2_ERR_NOT_ALLOWED after it), only on the transports getInfo transportsForReset lists, and
 * only with the person's touch (a long one when longTouchForReset is on): then every credential,
 * the PIN, the configuration, the fingers and the large blobs are gone.
 */
export async function reset(d: DeviceContext): Promise<void> {
  const state = d.state;
  const f = d.f;
  if (f.resetWindowMs > 0 && Date.now() - state.powerUpAt > f.resetWindowMs && !d.faults.resetWindowIgnored) refuse(S.CTAP2_ERR_NOT_ALLOWED);
  if (f.transportsForReset && !f.transportsForReset.includes(d.req.transport) && !d.faults.resetTransportIgnored) refuse(S.CTAP2_ERR_NOT_ALLOWED);
  if (!d.faults.resetWithoutPresence) await d.presence({ long: state.longTouchForReset });
  if (d.faults.resetKeepsCredentials) return;
  state.credentials.clear();
  state.pinHash = undefined;
  state.pinCodePoints = 0;
  state.pinRetries = state.maxPinRetries;
  state.minPinLength = Math.max(4, f.minPinLength || 4);
  state.minPinLengthRpIds = [...f.minPinLengthRpIds];
  state.forcePinChange = false;
  state.pinComplexity = f.pinComplexityPolicy === 'on';
  state.alwaysUv = f.alwaysUv === 'on';
  state.epEnabled = false;
  state.longTouchForReset = f.longTouchForReset;
  state.templates = [];
  state.uvRetries = MAX_UV_RETRIES;
  state.largeBlobArray = serializeLargeBlobArray([]);
  state.resetPersistentToken();
  state.deviceIdentifier = new Uint8Array(crypto.randomBytes(16));
  state.credentialsChanged();
  state.resetToken();
  state.pending = undefined;
  d.changed();
}
