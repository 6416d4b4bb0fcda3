import path from 'node:path';
import type crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { CredentialRecord, CredentialStore } from '../storage/CredentialStore.ts';
import type { RunStore, Stores } from '../storage/RunStore.ts';
import { openSqliteStores } from '../storage/SqliteStores.ts';
import { decodeCbor, coseKeyToPublicKey } from '../../../conformance/src/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    credentials: CredentialStore;
    runs: RunStore;
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

/** The stores: the ones passed in (tests, PostgreSQL) or the embedded SQLite file under DATA_DIR. */
export const storePlugin = fp(
  async (app: FastifyInstance, opts: { stores?: Stores }) => {
    const stores = opts.stores ?? openSqliteStores(path.join(app.config.dataDir, 'fido2-harness.sqlite'));
    app.decorate('credentials', stores.credentials);
    app.decorate('runs', stores.runs);
    app.decorate('keyCache', new KeyCache());
    if (!opts.stores) app.addHook('onClose', async () => stores.close());
  },
  { name: 'store', dependencies: ['config'] },
);
