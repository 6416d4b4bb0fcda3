import { credProtect } from './credProtect.ts';
import { credBlob } from './credBlob.ts';
import { hmacSecret } from './hmacSecret.ts';
import { hmacSecretMc } from './hmacSecretMc.ts';
import { largeBlobKey } from './largeBlobKey.ts';
import { largeBlob } from './largeBlob.ts';
import { minPinLength } from './minPinLength.ts';
import { pinComplexityPolicy } from './pinComplexityPolicy.ts';
import { thirdPartyPayment } from './thirdPartyPayment.ts';
import type { DeviceExtension } from './DeviceExtension.ts';

/** The software key's extensions, in the order getInfo lists them and makeCredential processes them. */
export const DEVICE_EXTENSIONS: readonly DeviceExtension[] = [credBlob, credProtect, hmacSecret, hmacSecretMc, largeBlobKey, largeBlob, minPinLength, pinComplexityPolicy, thirdPartyPayment];
