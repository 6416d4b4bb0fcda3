import path from 'node:path';
import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { CredentialRecord, Store } from '../storage/Store.ts';
import { SqliteStore } from '../storage/SqliteStore.ts';
import { decodeCbor } from '../../../conformance/src/cbor/decodeCbor.ts';
import { coseKeyToPublicKey } from '../../../conformance/src/webauthn/coseKey.ts';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    keyCache: KeyCache;
  }
}

/** Decoded public keys per credential, so an assertion costs one signature check, not a COSE decode. */
export class KeyCache {
  private readonly map = new Map<string, crypto.KeyObject>();
  private readonly max: number;
  constructor(max = 10_000) {
    this.max = max;
  }
  get(c: CredentialRecord): crypto.KeyObject {
    let k = this.map.get(c.id);
    if (!k) {
      k = coseKeyToPublicKey(decodeCbor(c.publicKey, 'stored credential public key').value as Map<number, never>).keyObject;
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
      this.map.set(c.id, k);
    }
    return k;
  }
  forget(id: string) {
    this.map.delete(id);
  }
}

/** The store: the one passed in (tests) or the embedded SQLite file under DATA_DIR. */
export const storePlugin = fp(
  async (app: FastifyInstance, opts: { store?: Store }) => {
    const store = opts.store ?? new SqliteStore(path.join(app.config.dataDir, 'fido2-harness.sqlite'));
    app.decorate('store', store);
    app.decorate('keyCache', new KeyCache());
    if (!opts.store) app.addHook('onClose', async () => store.close());
  },
  { name: 'store', dependencies: ['config'] },
);
