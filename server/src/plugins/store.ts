import type crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { CredentialRecord, CredentialStore } from '../storage/CredentialStore.ts';
import type { RunStore, Stores } from '../storage/RunStore.ts';
import { openStores } from '../storage/openStores.ts';
import { decodeCbor, coseKeyToPublicKey } from '../../../conformance/src/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    credentials: CredentialStore;
    runs: RunStore;
    keyCache: KeyCache;
    stores: Stores;
  }
}

/**
 * Decoded public keys per credential, so an assertion costs one signature check, not a COSE
 * decode. Checked against the stored key bytes on every use: with several instances another one
 * may have deleted the credential and a new one registered under the same ID.
 */
export class KeyCache {
  private readonly map = new Map<string, { bytes: Uint8Array; key: crypto.KeyObject }>();
  private readonly max: number;
  constructor(max = 10_000) {
    this.max = max;
  }
  get(c: CredentialRecord): crypto.KeyObject {
    const hit = this.map.get(c.id);
    if (hit && Buffer.compare(hit.bytes, c.publicKey) === 0) return hit.key;
    const key = coseKeyToPublicKey(decodeCbor(c.publicKey, 'stored credential public key').value as Map<number, never>).keyObject;
    if (!hit && this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(c.id, { bytes: new Uint8Array(c.publicKey), key });
    return key;
  }
  forget(id: string) {
    this.map.delete(id);
  }
}

/** The stores: the ones passed in (tests) or the configured ones (the SQLite file under DATA_DIR by default, or PostgreSQL). */
export const storePlugin = fp(
  async (app: FastifyInstance, opts: { stores?: Stores }) => {
    const stores = opts.stores ?? (await openStores(app.config.store));
    app.decorate('credentials', stores.credentials);
    app.decorate('runs', stores.runs);
    app.decorate('keyCache', new KeyCache());
    app.decorate('stores', stores);
    if (!opts.stores) app.addHook('onClose', async () => stores.close());
  },
  { name: 'store', dependencies: ['config'] },
);
