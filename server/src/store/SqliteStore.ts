import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CounterRegression, CredentialRecord, Store, UserRecord } from './Store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  public_key BLOB NOT NULL,
  alg INTEGER NOT NULL,
  counter INTEGER NOT NULL,
  transports TEXT NOT NULL,
  aaguid TEXT NOT NULL,
  fmt TEXT NOT NULL,
  attestation_object BLOB NOT NULL,
  client_data_json BLOB NOT NULL,
  backup_eligible INTEGER NOT NULL,
  backup_state INTEGER NOT NULL,
  discoverable INTEGER,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  counter_regressions INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS credentials_user ON credentials(user_id);
CREATE TABLE IF NOT EXISTS counter_regressions (
  credential_id TEXT NOT NULL,
  stored INTEGER NOT NULL,
  received INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS counter_regressions_cred ON counter_regressions(credential_id);
`;

type Row = Record<string, unknown>;

function toCredential(r: Row): CredentialRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    publicKey: new Uint8Array(r.public_key as Uint8Array),
    alg: Number(r.alg),
    counter: Number(r.counter),
    transports: JSON.parse(r.transports as string) as string[],
    aaguid: r.aaguid as string,
    fmt: r.fmt as string,
    attestationObject: new Uint8Array(r.attestation_object as Uint8Array),
    clientDataJSON: new Uint8Array(r.client_data_json as Uint8Array),
    backupEligible: r.backup_eligible === 1,
    backupState: r.backup_state === 1,
    discoverable: r.discoverable === null ? null : r.discoverable === 1,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    counterRegressions: Number(r.counter_regressions),
  };
}

function toUser(r: Row | undefined): UserRecord | undefined {
  return r && { id: r.id as string, username: r.username as string, displayName: r.display_name as string, createdAt: Number(r.created_at) };
}

/** The embedded default store: one SQLite file (WAL) under the data directory, via node:sqlite. */
export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly q: Record<string, StatementSync>;

  constructor(file: string) {
    this.file = file;
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 2000;');
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.q = {
      userByName: p('SELECT * FROM users WHERE username = ?'),
      userById: p('SELECT * FROM users WHERE id = ?'),
      insertUser: p('INSERT OR IGNORE INTO users (id, username, display_name, created_at) VALUES (?, ?, ?, ?)'),
      insertCred: p(`INSERT INTO credentials (id, user_id, public_key, alg, counter, transports, aaguid, fmt, attestation_object,
        client_data_json, backup_eligible, backup_state, discoverable, created_at, last_used_at, counter_regressions)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`),
      cred: p('SELECT * FROM credentials WHERE id = ?'),
      credsAll: p('SELECT * FROM credentials ORDER BY created_at, id'),
      credsOfUser: p('SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id'),
      deleteCred: p('DELETE FROM credentials WHERE id = ?'),
      use: p('UPDATE credentials SET counter = ?, backup_state = ?, last_used_at = ? WHERE id = ?'),
      regress: p('UPDATE credentials SET counter_regressions = counter_regressions + 1 WHERE id = ?'),
      insertRegression: p('INSERT INTO counter_regressions (credential_id, stored, received, at) VALUES (?, ?, ?, ?)'),
      regressions: p('SELECT * FROM counter_regressions WHERE credential_id = ? ORDER BY at'),
    };
  }

  getUserByName(username: string) {
    return toUser(this.q.userByName!.get(username) as Row | undefined);
  }

  getUserById(id: string) {
    return toUser(this.q.userById!.get(id) as Row | undefined);
  }

  addCredential(u: UserRecord, c: CredentialRecord) {
    this.tx(() => {
      this.q.insertUser!.run(u.id, u.username, u.displayName, u.createdAt);
      this.q.insertCred!.run(
        c.id, c.userId, c.publicKey, c.alg, c.counter, JSON.stringify(c.transports), c.aaguid, c.fmt, c.attestationObject,
        c.clientDataJSON, c.backupEligible ? 1 : 0, c.backupState ? 1 : 0, c.discoverable === null ? null : c.discoverable ? 1 : 0,
        c.createdAt, c.lastUsedAt,
      );
    });
  }

  getCredential(id: string) {
    const r = this.q.cred!.get(id) as Row | undefined;
    return r && toCredential(r);
  }

  listCredentials(userId?: string) {
    const rows = (userId === undefined ? this.q.credsAll!.all() : this.q.credsOfUser!.all(userId)) as Row[];
    return rows.map(toCredential);
  }

  deleteCredential(id: string) {
    return Number(this.q.deleteCred!.run(id).changes) > 0;
  }

  recordUse(id: string, counter: number, backupState: boolean, at: number) {
    this.q.use!.run(counter, backupState ? 1 : 0, at, id);
  }

  recordCounterRegression(r: CounterRegression) {
    this.tx(() => {
      this.q.regress!.run(r.credentialId);
      this.q.insertRegression!.run(r.credentialId, r.stored, r.received, r.at);
    });
  }

  listCounterRegressions(credentialId: string) {
    return (this.q.regressions!.all(credentialId) as Row[]).map((r) => ({
      credentialId: r.credential_id as string,
      stored: Number(r.stored),
      received: Number(r.received),
      at: Number(r.at),
    }));
  }

  close() {
    if (this.db.isOpen) this.db.close();
  }

  private tx(fn: () => void) {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }
}
