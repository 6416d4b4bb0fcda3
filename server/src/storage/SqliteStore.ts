import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CounterRegression, CredentialRecord, RegistrationEvidence, Store, StoredRun, UserRecord } from './Store.ts';

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
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  aaguid TEXT,
  label TEXT NOT NULL,
  firmware TEXT,
  via TEXT NOT NULL,
  started_at TEXT NOT NULL,
  verdict TEXT,
  evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_aaguid ON runs(aaguid, started_at);
`;

type Row = Record<string, unknown>;
const CACHE_MAX = 10_000;

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
    backupEligible: r.backup_eligible === 1,
    backupState: r.backup_state === 1,
    discoverable: r.discoverable === null ? null : r.discoverable === 1,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    counterRegressions: Number(r.counter_regressions),
    ...(typeof r.username === 'string' ? { username: r.username } : {}),
  };
}

function toRun(r: Row | undefined): StoredRun | undefined {
  return r && { id: r.id as string, aaguid: (r.aaguid as string | null) ?? null, label: r.label as string, firmware: (r.firmware as string | null) ?? null, via: r.via as string, startedAt: r.started_at as string, verdict: (r.verdict as string | null) ?? null, evidence: r.evidence as string };
}

function toUser(r: Row | undefined): UserRecord | undefined {
  return r && { id: r.id as string, username: r.username as string, displayName: r.display_name as string, createdAt: Number(r.created_at) };
}

/** The embedded default store: one SQLite file (WAL) under the data directory, via node:sqlite. */
export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly q: Record<string, StatementSync>;
  private readonly pendingUse = new Map<string, { counter: number; backupState: boolean; at: number }>();
  private flushScheduled = false;
  private readonly cache = new Map<string, CredentialRecord>();

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
      cred: p('SELECT c.id, c.user_id, c.public_key, c.alg, c.counter, c.transports, c.aaguid, c.fmt, c.backup_eligible, c.backup_state, c.discoverable, c.created_at, c.last_used_at, c.counter_regressions, u.username FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.id = ?'),
      evidence: p('SELECT attestation_object, client_data_json FROM credentials WHERE id = ?'),
      credsAll: p('SELECT c.id, c.user_id, c.public_key, c.alg, c.counter, c.transports, c.aaguid, c.fmt, c.backup_eligible, c.backup_state, c.discoverable, c.created_at, c.last_used_at, c.counter_regressions, u.username FROM credentials c JOIN users u ON u.id = c.user_id ORDER BY c.created_at, c.id'),
      credsOfUser: p('SELECT c.id, c.user_id, c.public_key, c.alg, c.counter, c.transports, c.aaguid, c.fmt, c.backup_eligible, c.backup_state, c.discoverable, c.created_at, c.last_used_at, c.counter_regressions, u.username FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.user_id = ? ORDER BY c.created_at, c.id'),
      deleteCred: p('DELETE FROM credentials WHERE id = ?'),
      use: p('UPDATE credentials SET counter = ?, backup_state = ?, last_used_at = ? WHERE id = ?'),
      regress: p('UPDATE credentials SET counter_regressions = counter_regressions + 1 WHERE id = ?'),
      insertRegression: p('INSERT INTO counter_regressions (credential_id, stored, received, at) VALUES (?, ?, ?, ?)'),
      regressions: p('SELECT * FROM counter_regressions WHERE credential_id = ? ORDER BY at'),
      saveRun: p('INSERT OR REPLACE INTO runs (id, aaguid, label, firmware, via, started_at, verdict, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      run: p('SELECT * FROM runs WHERE id = ?'),
      runsAll: p('SELECT * FROM runs ORDER BY started_at DESC, id LIMIT 500'),
      runsOf: p('SELECT * FROM runs WHERE aaguid = ? ORDER BY started_at DESC, id LIMIT 500'),
    };
  }

  getUserByName(username: string) {
    return toUser(this.q.userByName!.get(username) as Row | undefined);
  }

  getUserById(id: string) {
    return toUser(this.q.userById!.get(id) as Row | undefined);
  }

  addCredential(u: UserRecord, c: CredentialRecord & RegistrationEvidence) {
    this.tx(() => {
      this.q.insertUser!.run(u.id, u.username, u.displayName, u.createdAt);
      this.q.insertCred!.run(
        c.id, c.userId, c.publicKey, c.alg, c.counter, JSON.stringify(c.transports), c.aaguid, c.fmt, c.attestationObject,
        c.clientDataJSON, c.backupEligible ? 1 : 0, c.backupState ? 1 : 0, c.discoverable === null ? null : c.discoverable ? 1 : 0,
        c.createdAt, c.lastUsedAt,
      );
    });
  }

  /**
   * Sign-in reads the same few credentials over and over; this process is the only writer
   * of the file, so a bounded read cache stays exact as long as every write below updates it.
   */
  getCredential(id: string) {
    let c = this.cache.get(id);
    if (!c) {
      const r = this.q.cred!.get(id) as Row | undefined;
      if (!r) return undefined;
      c = toCredential(r);
      const pending = this.pendingUse.get(id);
      if (pending) Object.assign(c, { counter: pending.counter, backupState: pending.backupState, lastUsedAt: pending.at });
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(id, c);
    }
    return { ...c, transports: [...c.transports] };
  }

  getRegistrationEvidence(id: string) {
    const r = this.q.evidence!.get(id) as Row | undefined;
    return r && { attestationObject: new Uint8Array(r.attestation_object as Uint8Array), clientDataJSON: new Uint8Array(r.client_data_json as Uint8Array) };
  }

  listCredentials(userId?: string) {
    this.flush();
    const rows = (userId === undefined ? this.q.credsAll!.all() : this.q.credsOfUser!.all(userId)) as Row[];
    return rows.map(toCredential);
  }

  deleteCredential(id: string) {
    this.flush();
    this.cache.delete(id);
    return Number(this.q.deleteCred!.run(id).changes) > 0;
  }

  /**
   * Counter updates are group-committed: queued here and written in one transaction at the
   * end of the current event-loop turn (setImmediate). Reads see queued values at once, so
   * regression checks are exact; a crash can lose at most the updates of that one turn. Under
   * load this turns N autocommit writes into one (see npm run bench).
   */
  recordUse(id: string, counter: number, backupState: boolean, at: number) {
    this.pendingUse.set(id, { counter, backupState, at });
    const c = this.cache.get(id);
    if (c) Object.assign(c, { counter, backupState, lastUsedAt: at });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** write queued counter updates now (also called before anything that reads rows in bulk) */
  flush() {
    this.flushScheduled = false;
    if (this.pendingUse.size === 0 || !this.db.isOpen) return;
    const batch = [...this.pendingUse];
    this.pendingUse.clear();
    this.tx(() => {
      for (const [id, u] of batch) this.q.use!.run(u.counter, u.backupState ? 1 : 0, u.at, id);
    });
  }

  recordCounterRegression(r: CounterRegression) {
    this.flush();
    this.tx(() => {
      this.q.regress!.run(r.credentialId);
      const c = this.cache.get(r.credentialId);
      if (c) c.counterRegressions += 1;
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

  saveRun(r: StoredRun) {
    this.q.saveRun!.run(r.id, r.aaguid, r.label, r.firmware, r.via, r.startedAt, r.verdict, r.evidence);
  }

  getRun(id: string) {
    return toRun(this.q.run!.get(id) as Row | undefined);
  }

  listRuns(aaguid?: string) {
    return ((aaguid === undefined ? this.q.runsAll!.all() : this.q.runsOf!.all(aaguid)) as Row[]).map((r) => toRun(r)!);
  }

  close() {
    this.flush();
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
