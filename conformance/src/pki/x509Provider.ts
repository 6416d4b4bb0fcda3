import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

let ready = false;

/**
 * @peculiar/x509 (certificate and CRL generation, CRL parsing) with node's WebCrypto as its
 * provider, set up once, on first use: importing the library sets nothing globally.
 */
export function peculiarX509(): typeof x509 {
  if (!ready) {
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    ready = true;
  }
  return x509;
}
