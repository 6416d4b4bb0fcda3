import type { FormatVerifier } from '../FormatVerifier.ts';
import { verifyPacked } from './verifyPacked.ts';
import { verifyTpm } from './verifyTpm.ts';
import { verifyAndroidKey } from './verifyAndroidKey.ts';
import { verifyAndroidSafetyNet } from './verifyAndroidSafetyNet.ts';
import { verifyFidoU2f } from './verifyFidoU2f.ts';
import { verifyApple } from './verifyApple.ts';
import { verifyNone } from './verifyNone.ts';

/** Every attestation statement format of WebAuthn L3 §8 this harness verifies, by its fmt name. */
export const FORMAT_VERIFIERS: Readonly<Record<string, FormatVerifier>> = {
  packed: verifyPacked,
  tpm: verifyTpm,
  'android-key': verifyAndroidKey,
  'android-safetynet': verifyAndroidSafetyNet,
  'fido-u2f': verifyFidoU2f,
  apple: verifyApple,
  none: verifyNone,
};

/** The registered format names (anything else is a custom format). */
export const REGISTERED_FORMATS: readonly string[] = Object.keys(FORMAT_VERIFIERS);
