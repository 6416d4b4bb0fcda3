import { refuseNul } from './refuseNul.ts';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { StoreConflict, copyCredential, type CounterRegression, type CredentialRecord, type CredentialStore, type RegistrationEvidence, type UserRecord } from './CredentialStore.ts';
import type { RunQuery, RunStore, RunSummary, StoredRun, Stores } from './RunStore.ts';
import { counterAccepted } from './counterRule.ts';
import { tx, COUNTER_UPDATE, type CounterRow } from './sqliteTx.ts';
import { inThreadCommitter, workerCommitter, type CounterCommitter } from './sqliteCounterCommits.ts';
import { HarnessError } from '../../../conformance/src/index.ts';
import { firstAdminTaken, inviteInvalid, nameTaken, type AccountPasskey, type AccountRecord, type AccountStore, type DeletionRecord, type InviteRecord } from './AccountStore.ts';

/**
 * Versioned schema: MIGRATIONS[i] takes the database from user_version i to i + 1. Applied at
 * open inside one transaction; a file from a newer harness (user_version beyond these) is
 * refused rather than guessed at.
 */
export const SQLITE_MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS users (
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
  CREATE INDEX IF NOT EXISTS runs_aaguid ON runs(aaguid, started_at);`,
  // 2: accounts for a shared server; users (their credentials) and runs belong to a team
  `ALTER TABLE users ADD COLUMN team TEXT;
  ALTER TABLE runs ADD COLUMN team TEXT;
  CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, team TEXT NOT NULL, role TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE account_passkeys (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, public_key BLOB NOT NULL, counter INTEGER NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE account_sessions (token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, expires_at INTEGER NOT NULL);
  CREATE TABLE invites (code_hash TEXT PRIMARY KEY, team TEXT NOT NULL, role TEXT NOT NULL, created_by TEXT NOT NULL, expires_at INTEGER NOT NULL, used_by TEXT);
  CREATE TABLE deletions (kind TEXT NOT NULL, object_id TEXT NOT NULL, label TEXT NOT NULL, team TEXT, by_account TEXT, by_name TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX deletions_team ON deletions(team, at);`,
  // 3: the run list reads a covering index of the summary columns: never a row's evidence (the
  // team column sits after it in the row, so reading it from the table walks the evidence's pages)
  `CREATE INDEX runs_list ON runs(started_at DESC, id, team, aaguid, label, firmware, via, verdict);
  CREATE INDEX runs_list_aaguid ON runs(aaguid, started_at DESC, id, team, label, firmware, via, verdict);`,
];
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

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
    ...(typeof r.username === 'string' ? { username: r.username, team: (r.team as string | null) ?? null } : {}),
  };
}

function toRun(r: Row | undefined): StoredRun | undefined {
  return r && { id: r.id as string, aaguid: (r.aaguid as string | null) ?? null, label: r.label as string, firmware: (r.firmware as string | null) ?? null, via: r.via as string, startedAt: r.started_at as string, verdict: (r.verdict as StoredRun['verdict']) ?? null, evidence: JSON.parse(r.evidence as string), team: (r.team as string | null) ?? null };
}

function toUser(r: Row | undefined): UserRecord | undefined {
  return r && { id: r.id as string, username: r.username as string, displayName: r.display_name as string, createdAt: Number(r.created_at), team: (r.team as string | null) ?? null };
}

const CRED_COLUMNS = 'c.id, c.user_id, c.public_key, c.alg, c.counter, c.transports, c.aaguid, c.fmt, c.backup_eligible, c.backup_state, c.discoverable, c.created_at, c.last_used_at, c.counter_regressions, u.username, u.team';

/** Opens (creating and migrating) the embedded SQLite file; `:memory:` for a throw-away one. */
export function openSqliteStores(file: string): Stores & { credentials: SqliteCredentialStore; file: string } {
  const db = openDatabase(file);
  const credentials = new SqliteCredentialStore(db, file);
  const runs = new SqliteRunStore(db);
  return {
    file,
    credentials: refuseNul(credentials, 'credentials'),
    runs: refuseNul(runs, 'runs'),
    accounts: refuseNul(new SqliteAccountStore(db), 'accounts'),
    async close() {
      await credentials.close();
      if (db.isOpen) db.close();
    },
  };
}

function openDatabase(file: string): DatabaseSync {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 2000;');
  const version = Number((db.prepare('PRAGMA user_version').get() as Row).user_version);
  if (version > SQLITE_MIGRATIONS.length) {
    db.close();
    throw new HarnessError('STORE_TOO_NEW', `${file} has schema version ${version}, newer than this fido2-harness knows (${SQLITE_MIGRATIONS.length}): upgrade fido2-harness, or point --data-dir at another folder`);
  }
  if (version < SQLITE_MIGRATIONS.length) {
    tx(db, () => {
      for (let v = version; v < SQLITE_MIGRATIONS.length; v++) db.exec(SQLITE_MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length}`);
    });
  }
  return db;
}

interface PendingUse {
  counter: number;
  backupState: boolean;
  at: number;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

export class SqliteCredentialStore implements CredentialStore {
  private readonly db: DatabaseSync;
  private readonly q: Record<string, StatementSync>;
  /** counter updates waiting for the next commit */
  private readonly pendingUse = new Map<string, PendingUse>();
  /** the batch being committed (one at a time, in order), and when it ends */
  private inFlight: { uses: Map<string, PendingUse>; done: Promise<void> } | undefined;
  private flushScheduled = false;
  private readonly cache = new Map<string, CredentialRecord>();
  private readonly committer: CounterCommitter;

  /** `file`: where the database is (its counter commits run on a thread of their own); `:memory:` commits on this one */
  constructor(db: DatabaseSync, file = ':memory:') {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      userByName: p('SELECT * FROM users WHERE username = ?'),
      userById: p('SELECT * FROM users WHERE id = ?'),
      insertUser: p('INSERT OR IGNORE INTO users (id, username, display_name, created_at, team) VALUES (?, ?, ?, ?, ?)'),
      credExists: p('SELECT 1 FROM credentials WHERE id = ?'),
      insertCred: p(`INSERT INTO credentials (id, user_id, public_key, alg, counter, transports, aaguid, fmt, attestation_object,
        client_data_json, backup_eligible, backup_state, discoverable, created_at, last_used_at, counter_regressions)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`),
      cred: p(`SELECT ${CRED_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.id = ?`),
      evidence: p('SELECT attestation_object, client_data_json FROM credentials WHERE id = ?'),
      credsAll: p(`SELECT ${CRED_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id ORDER BY c.created_at, c.id`),
      credsOfUser: p(`SELECT ${CRED_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.user_id = ? ORDER BY c.created_at, c.id`),
      deleteCred: p('DELETE FROM credentials WHERE id = ?'),
      use: p(COUNTER_UPDATE),
      regress: p('UPDATE credentials SET counter_regressions = counter_regressions + 1 WHERE id = ?'),
      insertRegression: p('INSERT INTO counter_regressions (credential_id, stored, received, at) VALUES (?, ?, ?, ?)'),
      regressions: p('SELECT * FROM counter_regressions WHERE credential_id = ? ORDER BY at'),
    };
    this.committer = file === ':memory:' ? inThreadCommitter(db, this.q.use!) : workerCommitter(file);
  }

  async getUserByName(username: string) {
    return toUser(this.q.userByName!.get(username) as Row | undefined);
  }

  async getUserById(id: string) {
    return toUser(this.q.userById!.get(id) as Row | undefined);
  }

  async addCredential(u: UserRecord, c: CredentialRecord & RegistrationEvidence) {
    tx(this.db, () => {
      const owner = toUser(this.q.userByName!.get(u.username) as Row | undefined);
      if (owner && owner.id !== u.id) throw new StoreConflict('USERNAME_TAKEN', `the username "${u.username}" was registered by another session meanwhile, with another user handle`);
      if (this.q.credExists!.get(c.id)) throw new StoreConflict('CREDENTIAL_EXISTS', 'this credential ID is already registered');
      this.q.insertUser!.run(u.id, u.username, u.displayName, u.createdAt, u.team ?? null);
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
  private current(id: string): CredentialRecord | undefined {
    let c = this.cache.get(id);
    if (!c) {
      const r = this.q.cred!.get(id) as Row | undefined;
      if (!r) return undefined;
      c = toCredential(r);
      // a row read while its update waits, or is being committed elsewhere, is older than the update
      const pending = this.pendingUse.get(id) ?? this.inFlight?.uses.get(id);
      if (pending) Object.assign(c, { counter: pending.counter, backupState: pending.backupState, lastUsedAt: pending.at });
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(id, c);
    }
    return c;
  }

  async getCredential(id: string) {
    const c = this.current(id);
    return c && copyCredential(c);
  }

  async getRegistrationEvidence(id: string) {
    const r = this.q.evidence!.get(id) as Row | undefined;
    return r && { attestationObject: new Uint8Array(r.attestation_object as Uint8Array), clientDataJSON: new Uint8Array(r.client_data_json as Uint8Array) };
  }

  async listCredentials(userId?: string) {
    await this.settle();
    const rows = (userId === undefined ? this.q.credsAll!.all() : this.q.credsOfUser!.all(userId)) as Row[];
    return rows.map(toCredential);
  }

  async deleteCredential(id: string) {
    await this.settle();
    this.cache.delete(id);
    return Number(this.q.deleteCred!.run(id).changes) > 0;
  }

  /**
   * Counter updates are group-committed: checked and applied to the in-process view at once
   * (so the next sign-in in this process sees them), written in one transaction per batch, and
   * each caller's promise resolves only after that COMMIT: no reply acknowledges a counter a
   * crash could lose. One batch is committed at a time (on its own thread, for a file), and the
   * updates that arrive meanwhile make the next: under load N autocommit writes become one, and
   * the event loop never waits for an fsync.
   */
  recordUse(id: string, counter: number, backupState: boolean, at: number): Promise<'ok' | 'regressed' | 'unknown'> {
    const c = this.current(id);
    if (!c) return Promise.resolve('unknown');
    if (!counterAccepted(c.counter, counter)) return Promise.resolve('regressed');
    Object.assign(c, { counter, backupState, lastUsedAt: at });
    return new Promise((resolve, reject) => {
      const p = this.pendingUse.get(id);
      const waiter = { resolve: () => resolve('ok'), reject };
      if (p) Object.assign(p, { counter, backupState, at, waiters: [...p.waiters, waiter] });
      else this.pendingUse.set(id, { counter, backupState, at, waiters: [waiter] });
      if (!this.flushScheduled && !this.inFlight) {
        this.flushScheduled = true;
        setImmediate(() => this.commitPending());
      }
    });
  }

  /** sends the waiting updates as one batch, unless a batch is in flight (its end sends them) */
  private commitPending() {
    this.flushScheduled = false;
    if (this.inFlight || this.pendingUse.size === 0) return;
    const uses = new Map(this.pendingUse);
    this.pendingUse.clear();
    const rows: CounterRow[] = [...uses].map(([id, u]) => ({ id, counter: u.counter, backupState: u.backupState, at: u.at }));
    const settled = (committed: boolean, error?: unknown) => {
      this.inFlight = undefined;
      for (const [id, u] of uses) {
        // not committed: forget what the cache believes and fail every waiting reply
        if (!committed) this.cache.delete(id);
        for (const w of u.waiters) committed ? w.resolve() : w.reject(error);
      }
      this.commitPending();
    };
    this.inFlight = { uses, done: this.committer.commit(rows).then(() => settled(true), (e) => settled(false, e)) };
  }

  /** resolves once every update recorded so far is committed (or failed): before bulk reads, deletes and close */
  private async settle() {
    while (this.inFlight || this.pendingUse.size) {
      this.commitPending();
      await this.inFlight?.done;
    }
  }

  async recordCounterRegression(r: CounterRegression) {
    await this.settle();
    tx(this.db, () => {
      this.q.regress!.run(r.credentialId);
      this.q.insertRegression!.run(r.credentialId, r.stored, r.received, r.at);
    });
    const c = this.cache.get(r.credentialId);
    if (c) c.counterRegressions += 1;
  }

  async listCounterRegressions(credentialId: string) {
    return (this.q.regressions!.all(credentialId) as Row[]).map((r) => ({
      credentialId: r.credential_id as string,
      stored: Number(r.stored),
      received: Number(r.received),
      at: Number(r.at),
    }));
  }

  async close() {
    await this.settle();
    await this.committer.close();
  }
}

const SUMMARY_COLUMNS = 'id, aaguid, label, firmware, via, started_at, verdict, team';
const toSummary = (r: Row): RunSummary => ({ id: r.id as string, aaguid: (r.aaguid as string | null) ?? null, label: r.label as string, firmware: (r.firmware as string | null) ?? null, via: r.via as string, startedAt: r.started_at as string, verdict: (r.verdict as StoredRun['verdict']) ?? null, team: (r.team as string | null) ?? null });

export class SqliteRunStore implements RunStore {
  private readonly q: Record<string, StatementSync>;
  private readonly db: DatabaseSync;
  constructor(db: DatabaseSync) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      saveRun: p('INSERT OR REPLACE INTO runs (id, aaguid, label, firmware, via, started_at, verdict, evidence, team) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      deleteRun: p('DELETE FROM runs WHERE id = ?'),
      run: p('SELECT * FROM runs WHERE id = ?'),
      // one statement for every filter: a NULL parameter switches its condition off
      runs: p(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE (?1 IS NULL OR aaguid = ?1) AND (?2 IS NULL OR team = ?2)
        AND (?3 IS NULL OR started_at < ?3 OR (started_at = ?3 AND id > ?4)) ORDER BY started_at DESC, id LIMIT ?5`),
    };
  }

  async saveRun(r: StoredRun) {
    this.q.saveRun!.run(r.id, r.aaguid, r.label, r.firmware, r.via, r.startedAt, r.verdict, JSON.stringify(r.evidence), r.team ?? null);
  }

  async updateRun(id: string, change: (current: StoredRun) => StoredRun) {
    let out: StoredRun | undefined;
    // synchronous from read to write: nothing in this process interleaves; BEGIN IMMEDIATE keeps other processes out
    tx(this.db, () => {
      const current = toRun(this.q.run!.get(id) as Row | undefined);
      if (!current) return;
      out = change(current);
      this.q.saveRun!.run(out.id, out.aaguid, out.label, out.firmware, out.via, out.startedAt, out.verdict, JSON.stringify(out.evidence), out.team ?? null);
    });
    return out;
  }

  async deleteRun(id: string) {
    return Number(this.q.deleteRun!.run(id).changes) > 0;
  }

  async getRun(id: string) {
    return toRun(this.q.run!.get(id) as Row | undefined);
  }

  async listRuns(q: RunQuery) {
    return (this.q.runs!.all(q.aaguid ?? null, q.team ?? null, q.after?.startedAt ?? null, q.after?.id ?? null, q.limit) as Row[]).map(toSummary);
  }

  async close() {}
}

const toAccount = (r: Row | undefined): AccountRecord | undefined => r && { id: r.id as string, name: r.name as string, team: r.team as string, role: r.role as AccountRecord['role'], createdAt: Number(r.created_at) };

export class SqliteAccountStore implements AccountStore {
  private readonly db: DatabaseSync;
  private readonly q: Record<string, StatementSync>;
  constructor(db: DatabaseSync) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      any: p('SELECT 1 FROM accounts LIMIT 1'),
      nameTaken: p('SELECT 1 FROM accounts WHERE name = ?'),
      insert: p('INSERT INTO accounts (id, name, team, role, created_at) VALUES (?, ?, ?, ?, ?)'),
      insertPasskey: p('INSERT INTO account_passkeys (id, account_id, public_key, counter, created_at) VALUES (?, ?, ?, ?, ?)'),
      invite: p('SELECT * FROM invites WHERE code_hash = ?'),
      useInvite: p('UPDATE invites SET used_by = ? WHERE code_hash = ? AND used_by IS NULL'),
      account: p('SELECT * FROM accounts WHERE id = ?'),
      passkey: p('SELECT * FROM account_passkeys WHERE id = ?'),
      passkeysOf: p('SELECT p.id FROM account_passkeys p JOIN accounts a ON a.id = p.account_id WHERE a.name = ? ORDER BY p.created_at'),
      passkeyUse: p('UPDATE account_passkeys SET counter = ? WHERE id = ? AND (counter < ? OR (counter = 0 AND ? = 0))'),
      createSession: p('INSERT OR REPLACE INTO account_sessions (token_hash, account_id, expires_at) VALUES (?, ?, ?)'),
      session: p('SELECT a.* FROM account_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ? AND s.expires_at >= ?'),
      deleteSession: p('DELETE FROM account_sessions WHERE token_hash = ?'),
      accounts: p('SELECT * FROM accounts ORDER BY name'),
      removeAccount: p('DELETE FROM accounts WHERE name = ?'),
      sweepSessions: p('DELETE FROM account_sessions WHERE expires_at < ?'),
      sweepInvites: p('DELETE FROM invites WHERE used_by IS NULL AND expires_at < ?'),
      createInvite: p('INSERT INTO invites (code_hash, team, role, created_by, expires_at) VALUES (?, ?, ?, ?, ?)'),
      deletion: p('INSERT INTO deletions (kind, object_id, label, team, by_account, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      deletionsAll: p('SELECT * FROM deletions ORDER BY at DESC, rowid DESC LIMIT 500'),
      deletionsOf: p('SELECT * FROM deletions WHERE team = ? ORDER BY at DESC, rowid DESC LIMIT 500'),
    };
  }

  async hasAccounts() {
    return !!this.q.any!.get();
  }

  private add(a: AccountRecord, pk: AccountPasskey) {
    if (this.q.nameTaken!.get(a.name)) throw nameTaken(a.name);
    this.q.insert!.run(a.id, a.name, a.team, a.role, a.createdAt);
    this.q.insertPasskey!.run(pk.id, a.id, pk.publicKey, pk.counter, pk.createdAt);
  }

  async createFirstAdmin(a: AccountRecord, pk: AccountPasskey) {
    tx(this.db, () => {
      if (this.q.any!.get()) throw firstAdminTaken();
      this.add({ ...a, role: 'admin' }, pk);
    });
  }

  async createWithInvite(codeHash: string, now: number, a: Omit<AccountRecord, 'team' | 'role'>, pk: AccountPasskey) {
    let account: AccountRecord | undefined;
    tx(this.db, () => {
      const inv = this.q.invite!.get(codeHash) as Row | undefined;
      if (!inv || inv.used_by !== null || Number(inv.expires_at) < now) throw inviteInvalid();
      account = { ...a, team: inv.team as string, role: inv.role as AccountRecord['role'] };
      this.add(account, pk);
      this.q.useInvite!.run(a.id, codeHash);
    });
    return account!;
  }

  async inviteUsable(codeHash: string, now: number) {
    const inv = this.q.invite!.get(codeHash) as Row | undefined;
    return !!inv && inv.used_by === null && Number(inv.expires_at) >= now;
  }

  async getAccount(id: string) {
    return toAccount(this.q.account!.get(id) as Row | undefined);
  }

  async getPasskey(id: string) {
    const r = this.q.passkey!.get(id) as Row | undefined;
    return r && { id: r.id as string, accountId: r.account_id as string, publicKey: new Uint8Array(r.public_key as Uint8Array), counter: Number(r.counter), createdAt: Number(r.created_at) };
  }

  async passkeyIdsOf(name: string) {
    return (this.q.passkeysOf!.all(name) as Row[]).map((r) => r.id as string);
  }

  async recordPasskeyUse(id: string, counter: number) {
    if (Number(this.q.passkeyUse!.run(counter, id, counter, counter).changes) > 0) return 'ok' as const;
    return this.q.passkey!.get(id) ? ('regressed' as const) : ('unknown' as const);
  }

  async createSession(tokenHash: string, accountId: string, expiresAt: number) {
    this.q.createSession!.run(tokenHash, accountId, expiresAt);
  }

  async sessionAccount(tokenHash: string, now: number) {
    return toAccount(this.q.session!.get(tokenHash, now) as Row | undefined);
  }

  async deleteSession(tokenHash: string) {
    this.q.deleteSession!.run(tokenHash);
  }

  async listAccounts() {
    return (this.q.accounts!.all() as Row[]).map((r) => toAccount(r)!);
  }

  async removeAccount(name: string) {
    // passkeys and sessions go with it (ON DELETE CASCADE)
    return Number(this.q.removeAccount!.run(name).changes) > 0;
  }

  async sweep(now: number) {
    this.q.sweepSessions!.run(now);
    this.q.sweepInvites!.run(now);
  }

  async createInvite(i: InviteRecord) {
    this.q.createInvite!.run(i.codeHash, i.team, i.role, i.createdBy, i.expiresAt);
  }

  async recordDeletion(d: DeletionRecord) {
    this.q.deletion!.run(d.kind, d.objectId, d.label, d.team, d.byAccount, d.byName, d.at);
  }

  async listDeletions(team?: string) {
    const rows = (team === undefined ? this.q.deletionsAll!.all() : this.q.deletionsOf!.all(team)) as Row[];
    return rows.map((r) => ({ kind: r.kind as DeletionRecord['kind'], objectId: r.object_id as string, label: r.label as string, team: (r.team as string | null) ?? null, byAccount: (r.by_account as string | null) ?? null, byName: r.by_name as string, at: Number(r.at) }));
  }
}
