import { refuseNul } from './refuseNul.ts';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { HarnessError } from '../../../conformance/src/index.ts';
import { StoreConflict, copyCredential, type CounterRegression, type CredentialRecord, type CredentialStore, type RegistrationEvidence, type UserRecord } from './CredentialStore.ts';
import type { RunQuery, RunStore, RunSummary, StoredRun, Stores } from './RunStore.ts';
import { firstAdminTaken, inviteInvalid, nameTaken, type AccountPasskey, type AccountRecord, type AccountStore, type DeletionRecord, type InviteRecord } from './AccountStore.ts';
import { CHALLENGE_UNKNOWN, DEFAULT_MAX_PER_CLIENT, DEFAULT_MAX_PER_SESSION, judgeTaken, tooManyChallenges, type ChallengeLimits, type ChallengeRecord, type Challenges } from '../challenges/ChallengeStore.ts';

/**
 * The credential store, the run store and the challenges in one PostgreSQL database, which
 * several server instances share: every read goes to the database (no process cache of
 * anything that changes), a counter moves only forward in one conditional UPDATE, and a
 * challenge is used once across instances by one DELETE … RETURNING.
 *
 * Versioned schema: PG_MIGRATIONS[i] takes the database from version i to i + 1, recorded in
 * fido2_harness_schema. Applied at open under an advisory lock (two instances starting together
 * migrate once); a database from a newer harness is refused.
 */
export const PG_MIGRATIONS = [
  `CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    public_key BYTEA NOT NULL,
    alg INTEGER NOT NULL,
    counter BIGINT NOT NULL,
    transports TEXT NOT NULL,
    aaguid TEXT NOT NULL,
    fmt TEXT NOT NULL,
    attestation_object BYTEA NOT NULL,
    client_data_json BYTEA NOT NULL,
    backup_eligible BOOLEAN NOT NULL,
    backup_state BOOLEAN NOT NULL,
    discoverable BOOLEAN,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    counter_regressions INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX credentials_user ON credentials(user_id);
  CREATE TABLE counter_regressions (
    credential_id TEXT NOT NULL,
    stored BIGINT NOT NULL,
    received BIGINT NOT NULL,
    at BIGINT NOT NULL
  );
  CREATE INDEX counter_regressions_cred ON counter_regressions(credential_id);
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    aaguid TEXT,
    label TEXT NOT NULL,
    firmware TEXT,
    via TEXT NOT NULL,
    started_at TEXT NOT NULL,
    verdict TEXT,
    evidence TEXT NOT NULL
  );
  CREATE INDEX runs_aaguid ON runs(aaguid, started_at);
  CREATE TABLE challenges (
    challenge TEXT PRIMARY KEY,
    seq BIGSERIAL NOT NULL,
    session_id TEXT NOT NULL,
    client TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    context TEXT NOT NULL
  );
  CREATE INDEX challenges_client ON challenges(client);
  CREATE INDEX challenges_session ON challenges(session_id, seq);
  CREATE INDEX challenges_expiry ON challenges(expires_at);`,
  // 2: accounts for a shared server; users (their credentials) and runs belong to a team
  `ALTER TABLE users ADD COLUMN team TEXT;
  ALTER TABLE runs ADD COLUMN team TEXT;
  CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, team TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL);
  CREATE TABLE account_passkeys (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, public_key BYTEA NOT NULL, counter BIGINT NOT NULL, created_at BIGINT NOT NULL);
  CREATE TABLE account_sessions (token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, expires_at BIGINT NOT NULL);
  CREATE TABLE invites (code_hash TEXT PRIMARY KEY, team TEXT NOT NULL, role TEXT NOT NULL, created_by TEXT NOT NULL, expires_at BIGINT NOT NULL, used_by TEXT);
  CREATE TABLE deletions (seq BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, object_id TEXT NOT NULL, label TEXT NOT NULL, team TEXT, by_account TEXT, by_name TEXT NOT NULL, at BIGINT NOT NULL);
  CREATE INDEX deletions_team ON deletions(team, at);`,
];
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;
const MIGRATION_LOCK = 0x66_68_32; // "fh2": one advisory lock id for every fido2-harness database

type Row = QueryResultRow;
const CRED_COLUMNS = 'c.id, c.user_id, c.public_key, c.alg, c.counter, c.transports, c.aaguid, c.fmt, c.backup_eligible, c.backup_state, c.discoverable, c.created_at, c.last_used_at, c.counter_regressions, u.username, u.team';

function toCredential(r: Row): CredentialRecord {
  return {
    id: r.id, userId: r.user_id, publicKey: new Uint8Array(r.public_key as Buffer), alg: Number(r.alg), counter: Number(r.counter),
    transports: JSON.parse(r.transports) as string[], aaguid: r.aaguid, fmt: r.fmt, backupEligible: r.backup_eligible === true,
    backupState: r.backup_state === true, discoverable: r.discoverable ?? null, createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at), counterRegressions: Number(r.counter_regressions),
    ...(typeof r.username === 'string' ? { username: r.username, team: r.team ?? null } : {}),
  };
}
const toUser = (r: Row | undefined): UserRecord | undefined => r && { id: r.id, username: r.username, displayName: r.display_name, createdAt: Number(r.created_at), team: r.team ?? null };
const toRun = (r: Row | undefined): StoredRun | undefined =>
  r && { id: r.id, aaguid: r.aaguid ?? null, label: r.label, firmware: r.firmware ?? null, via: r.via, startedAt: r.started_at, verdict: r.verdict ?? null, evidence: JSON.parse(r.evidence), team: r.team ?? null };

/** where a connection URL points, without its password */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/**
 * The database not answering (refused, reset, shut down, out of connections) is the server's
 * condition, not the request's fault and not a bug: a 503 saying so, which the next request may
 * not meet (the pool reconnects). Anything else is thrown as it came.
 */
const UNAVAILABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|57P0[1-3]|53300|08\w{3})$/;
export function storeUnavailable(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  const message = (e as Error | null)?.message ?? '';
  if ((typeof code === 'string' && UNAVAILABLE.test(code)) || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
    return new HarnessError('STORE_UNREACHABLE', `the database is not answering (${typeof code === 'string' ? code : message.slice(0, 80)}): nothing was written; try again in a moment`, { status: 503, cause: e });
  }
  return e;
}

/** every query through the pool: an outage becomes STORE_UNREACHABLE (503) */
function guard(pool: Pool): Pool {
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  const connect = pool.connect.bind(pool) as (cb?: unknown) => Promise<PoolClient> | undefined;
  Object.assign(pool, {
    query: (...a: unknown[]) => query(...a).catch((e: unknown) => { throw storeUnavailable(e); }),
    // pg's own query() connects with a callback: that form is passed through untouched
    connect: (cb?: unknown) => (cb ? connect(cb) : connect()!.catch((e: unknown) => { throw storeUnavailable(e); })),
  });
  return pool;
}

async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw storeUnavailable(e);
  } finally {
    c.release();
  }
}

async function migrate(pool: Pool, url: string): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query('CREATE TABLE IF NOT EXISTS fido2_harness_schema (version INTEGER NOT NULL)');
    const r = await c.query('SELECT version FROM fido2_harness_schema');
    const version = r.rows.length ? Number(r.rows[0]!.version) : 0;
    if (version > PG_MIGRATIONS.length) {
      throw new HarnessError('STORE_TOO_NEW', `${describePostgresUrl(url)} has fido2-harness schema version ${version}, newer than this fido2-harness knows (${PG_MIGRATIONS.length}): upgrade fido2-harness on every instance, or use another database`);
    }
    for (let v = version; v < PG_MIGRATIONS.length; v++) await c.query(PG_MIGRATIONS[v]!);
    if (!r.rows.length) await c.query('INSERT INTO fido2_harness_schema (version) VALUES ($1)', [PG_MIGRATIONS.length]);
    else if (version < PG_MIGRATIONS.length) await c.query('UPDATE fido2_harness_schema SET version = $1', [PG_MIGRATIONS.length]);
  });
}

/**
 * Connects (a pool of `poolSize`), migrates, and returns the stores. Fails with STORE_UNREACHABLE
 * naming the server when it cannot connect, so `serve --store postgres://…` stops with a reason.
 */
export async function openPostgresStores(url: string, o: { poolSize?: number } = {}): Promise<Stores & { pool: Pool }> {
  let pg: typeof import('pg');
  try {
    pg = (await import('pg')).default as unknown as typeof import('pg');
  } catch {
    throw new HarnessError('STORE_UNREACHABLE', 'the PostgreSQL store needs the package "pg": npm i pg');
  }
  const pool = guard(new pg.Pool({ connectionString: url, max: o.poolSize ?? 10, connectionTimeoutMillis: 10_000 }));
  // an idle connection dropped by the server must not crash the process: the next query reconnects
  pool.on('error', () => {});
  try {
    await migrate(pool, url);
  } catch (e) {
    await pool.end().catch(() => {});
    if (e instanceof HarnessError && e.code !== 'STORE_UNREACHABLE') throw e;
    const cause = (e instanceof HarnessError ? e.cause : e) as Error;
    throw new HarnessError('STORE_UNREACHABLE', `cannot open the store at ${describePostgresUrl(url)}: ${cause?.message ?? String(e)}`, { cause });
  }
  const credentials = new PostgresCredentialStore(pool);
  const runs = new PostgresRunStore(pool);
  let closed = false;
  return {
    pool,
    credentials: refuseNul(credentials, 'credentials'),
    runs: refuseNul(runs, 'runs'),
    accounts: refuseNul(new PostgresAccountStore(pool), 'accounts'),
    describe: describePostgresUrl(url),
    challenges: <T>(limits: ChallengeLimits) => new PostgresChallenges<T>(pool, limits),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

export class PostgresCredentialStore implements CredentialStore {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async getUserByName(username: string) {
    return toUser((await this.pool.query('SELECT * FROM users WHERE username = $1', [username])).rows[0]);
  }

  async getUserById(id: string) {
    return toUser((await this.pool.query('SELECT * FROM users WHERE id = $1', [id])).rows[0]);
  }

  async addCredential(u: UserRecord, c: CredentialRecord & RegistrationEvidence) {
    await inTransaction(this.pool, async (db) => {
      // one handle per username, decided by the unique index: a concurrent insert waits for ours
      await db.query('INSERT INTO users (id, username, display_name, created_at, team) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [u.id, u.username, u.displayName, u.createdAt, u.team ?? null]);
      const owner = (await db.query('SELECT id FROM users WHERE username = $1', [u.username])).rows[0];
      if (!owner || owner.id !== u.id) throw new StoreConflict('USERNAME_TAKEN', `the username "${u.username}" was registered by another session meanwhile, with another user handle`);
      const inserted = await db.query(
        `INSERT INTO credentials (id, user_id, public_key, alg, counter, transports, aaguid, fmt, attestation_object, client_data_json,
          backup_eligible, backup_state, discoverable, created_at, last_used_at, counter_regressions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0) ON CONFLICT (id) DO NOTHING`,
        [c.id, c.userId, Buffer.from(c.publicKey), c.alg, c.counter, JSON.stringify(c.transports), c.aaguid, c.fmt, Buffer.from(c.attestationObject),
          Buffer.from(c.clientDataJSON), c.backupEligible, c.backupState, c.discoverable, c.createdAt, c.lastUsedAt],
      );
      if (inserted.rowCount === 0) throw new StoreConflict('CREDENTIAL_EXISTS', 'this credential ID is already registered');
    });
  }

  async getCredential(id: string) {
    const r = (await this.pool.query({ name: 'fh_cred', text: `SELECT ${CRED_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.id = $1`, values: [id] })).rows[0];
    return r && toCredential(r);
  }

  async getRegistrationEvidence(id: string) {
    const r = (await this.pool.query('SELECT attestation_object, client_data_json FROM credentials WHERE id = $1', [id])).rows[0];
    return r && { attestationObject: new Uint8Array(r.attestation_object as Buffer), clientDataJSON: new Uint8Array(r.client_data_json as Buffer) };
  }

  async listCredentials(userId?: string) {
    const base = `SELECT ${CRED_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id`;
    const rows = userId === undefined ? (await this.pool.query(`${base} ORDER BY c.created_at, c.id`)).rows : (await this.pool.query(`${base} WHERE c.user_id = $1 ORDER BY c.created_at, c.id`, [userId])).rows;
    return rows.map(toCredential);
  }

  async deleteCredential(id: string) {
    return ((await this.pool.query('DELETE FROM credentials WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  /** the counter rule (counterRule.ts) as the UPDATE's condition: checked and written in one statement */
  async recordUse(id: string, counter: number, backupState: boolean, at: number): Promise<'ok' | 'regressed' | 'unknown'> {
    const r = await this.pool.query({
      name: 'fh_use',
      text: 'UPDATE credentials SET counter = $2, backup_state = $3, last_used_at = $4 WHERE id = $1 AND (counter < $2 OR (counter = 0 AND $2 = 0))',
      values: [id, counter, backupState, at],
    });
    if (r.rowCount) return 'ok';
    const exists = await this.pool.query('SELECT 1 FROM credentials WHERE id = $1', [id]);
    return exists.rowCount ? 'regressed' : 'unknown';
  }

  async recordCounterRegression(r: CounterRegression) {
    await inTransaction(this.pool, async (db) => {
      await db.query('UPDATE credentials SET counter_regressions = counter_regressions + 1 WHERE id = $1', [r.credentialId]);
      await db.query('INSERT INTO counter_regressions (credential_id, stored, received, at) VALUES ($1, $2, $3, $4)', [r.credentialId, r.stored, r.received, r.at]);
    });
  }

  async listCounterRegressions(credentialId: string) {
    const rows = (await this.pool.query('SELECT * FROM counter_regressions WHERE credential_id = $1 ORDER BY at', [credentialId])).rows;
    return rows.map((r) => ({ credentialId: r.credential_id as string, stored: Number(r.stored), received: Number(r.received), at: Number(r.at) }));
  }

  async close() {}
}

export class PostgresRunStore implements RunStore {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async saveRun(r: StoredRun) {
    await this.pool.query(
      `INSERT INTO runs (id, aaguid, label, firmware, via, started_at, verdict, evidence, team) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET aaguid = EXCLUDED.aaguid, label = EXCLUDED.label, firmware = EXCLUDED.firmware, via = EXCLUDED.via,
         started_at = EXCLUDED.started_at, verdict = EXCLUDED.verdict, evidence = EXCLUDED.evidence, team = EXCLUDED.team`,
      [r.id, r.aaguid, r.label, r.firmware, r.via, r.startedAt, r.verdict, JSON.stringify(r.evidence), r.team ?? null],
    );
  }

  async updateRun(id: string, change: (current: StoredRun) => StoredRun) {
    // the row locked from read to write: a second result for the same run waits, then sees the first
    return inTransaction(this.pool, async (c) => {
      const current = toRun((await c.query('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [id])).rows[0]);
      if (!current) return undefined;
      const r = change(current);
      await c.query('UPDATE runs SET aaguid = $2, label = $3, firmware = $4, via = $5, started_at = $6, verdict = $7, evidence = $8, team = $9 WHERE id = $1', [r.id, r.aaguid, r.label, r.firmware, r.via, r.startedAt, r.verdict, JSON.stringify(r.evidence), r.team ?? null]);
      return r;
    });
  }

  async deleteRun(id: string) {
    return ((await this.pool.query('DELETE FROM runs WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async getRun(id: string) {
    return toRun((await this.pool.query('SELECT * FROM runs WHERE id = $1', [id])).rows[0]);
  }

  async listRuns(q: RunQuery) {
    // filtered before the page is cut; the summary columns only (never the evidence)
    const rows = (await this.pool.query(
      `SELECT id, aaguid, label, firmware, via, started_at, verdict, team FROM runs
       WHERE ($1::text IS NULL OR aaguid = $1) AND ($2::text IS NULL OR team = $2)
         AND ($3::text IS NULL OR started_at COLLATE "C" < $3 OR (started_at = $3 AND id COLLATE "C" > $4))
       ORDER BY started_at COLLATE "C" DESC, id COLLATE "C" LIMIT $5`,
      [q.aaguid ?? null, q.team ?? null, q.after?.startedAt ?? null, q.after?.id ?? null, q.limit],
    )).rows;
    return rows.map((r): RunSummary => ({ id: r.id, aaguid: r.aaguid ?? null, label: r.label, firmware: r.firmware ?? null, via: r.via, startedAt: r.started_at, verdict: r.verdict ?? null, team: r.team ?? null }));
  }

  async close() {}
}

/**
 * Challenges in the shared database. Issue refuses a client address past its share in the same
 * statement that inserts; a session keeps its newest `maxPerSession`. Take is one DELETE … RETURNING:
 * of two instances verifying the same challenge at once, exactly one gets the row.
 */
/** the advisory lock that makes issuing a challenge one step across every instance */
const CHALLENGE_LOCK = 0x66686331;

const OWN_COPIES_MAX = 10_000;

type CommitOutcome = { outcome: 'ok'; counterRegressions: number } | { outcome: 'stale' | 'used' | 'regressed' };
interface QueuedCommit {
  challenge: string;
  credential: CredentialRecord;
  counter: number;
  backupState: boolean;
  at: number;
  resolve: (o: CommitOutcome) => void;
  reject: (e: unknown) => void;
}

/** a bounded map that forgets its oldest entry when full */
function remember<K, V>(m: Map<K, V>, k: K, v: V) {
  m.delete(k);
  if (m.size >= OWN_COPIES_MAX) m.delete(m.keys().next().value as K);
  m.set(k, v);
}

export class PostgresChallenges<T> implements Challenges<T> {
  private readonly maxPerSession: number;
  private readonly maxPerClient: number;
  private readonly pool: Pool;
  private readonly limits: ChallengeLimits;
  /**
   * Copies, never the truth: the challenges this instance issued and the credentials it read. They
   * let a sign-in be judged here and committed in one statement whose conditions (challenge still
   * there, stored key and user still the ones judged) make a stale copy harmless.
   */
  private readonly issued = new Map<string, ChallengeRecord<T>>();
  private readonly credentials = new Map<string, CredentialRecord>();
  private commits: QueuedCommit[] = [];
  private committing = false;
  constructor(pool: Pool, limits: ChallengeLimits) {
    this.pool = pool;
    this.limits = limits;
    this.maxPerSession = limits.maxPerSession ?? DEFAULT_MAX_PER_SESSION;
    this.maxPerClient = limits.maxPerClient ?? DEFAULT_MAX_PER_CLIENT;
  }

  async issue(challenge: string, sessionId: string, context: T, client = 'unknown'): Promise<ChallengeRecord<T>> {
    const t = this.limits.now();
    const rec = { challenge, sessionId, client, issuedAt: t, expiresAt: t + this.limits.ttlMs, context };
    const maxEntries = this.limits.maxEntries ?? 100_000;
    // one transaction under one lock (all instances share it): the counts and the insert cannot
    // interleave, so the caps are exact under concurrency; room is made only from the asking
    // session's own challenges, never another's
    await inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [CHALLENGE_LOCK]);
      const n = (await c.query('SELECT count(*) FILTER (WHERE client = $1) AS mine, count(*) FILTER (WHERE session_id = $2) AS session, count(*) AS total FROM challenges WHERE expires_at >= $3', [client, sessionId, t])).rows[0]!;
      if (Number(n.mine) >= this.maxPerClient) throw tooManyChallenges(Number(n.mine), this.limits.ttlMs);
      if (Number(n.total) >= maxEntries && Number(n.session) === 0) throw tooManyChallenges(Number(n.total), this.limits.ttlMs, 'the server');
      await c.query('INSERT INTO challenges (challenge, session_id, client, issued_at, expires_at, context) VALUES ($1, $2, $3, $4, $5, $6)', [challenge, sessionId, client, rec.issuedAt, rec.expiresAt, JSON.stringify(context)]);
      const keep = Number(n.total) >= maxEntries ? Math.min(this.maxPerSession, Number(n.session)) : this.maxPerSession;
      await c.query(
        `DELETE FROM challenges WHERE session_id = $1 AND challenge NOT IN
          (SELECT challenge FROM challenges WHERE session_id = $1 ORDER BY seq DESC LIMIT $2)`,
        [sessionId, keep],
      );
    });
    remember(this.issued, challenge, rec);
    return rec;
  }

  async take(challenge: string, sessionId: string) {
    this.issued.delete(challenge);
    const r = (await this.pool.query({ name: 'fh_take', text: 'DELETE FROM challenges WHERE challenge = $1 RETURNING *', values: [challenge] })).rows[0];
    return this.judge(challenge, sessionId, r);
  }

  /** a sign-in's reads in one statement (one round trip, prepared): the challenge taken, the credential joined to it */
  async takeWithCredential(challenge: string, sessionId: string, credentialId: string) {
    const r = (await this.pool.query({
      name: 'fh_take_cred',
      text: `WITH t AS (DELETE FROM challenges WHERE challenge = $1 RETURNING session_id, client, issued_at, expires_at, context)
        SELECT t.session_id AS t_session_id, t.client AS t_client, t.issued_at AS t_issued_at, t.expires_at AS t_expires_at, t.context AS t_context, ${CRED_COLUMNS}
        FROM t LEFT JOIN (credentials c JOIN users u ON u.id = c.user_id) ON c.id = $2`,
      values: [challenge, credentialId],
    })).rows[0];
    this.issued.delete(challenge);
    const taken = this.judge(challenge, sessionId, r && { session_id: r.t_session_id, client: r.t_client, issued_at: r.t_issued_at, expires_at: r.t_expires_at, context: r.t_context });
    const credential = taken.ok && r?.id != null ? toCredential(r) : undefined;
    if (credential) remember(this.credentials, credentialId, credential);
    return { taken, credential: credential && copyCredential(credential) };
  }

  ownCopies(challenge: string, sessionId: string, credentialId: string) {
    const rec = this.issued.get(challenge);
    const credential = this.credentials.get(credentialId);
    if (!rec || !credential) return undefined;
    return { taken: judgeTaken(rec, sessionId, this.limits.now(), this.limits.ttlMs), credential: copyCredential(credential) };
  }

  /**
   * Group-committed, as SQLite's counter writes are: the sign-ins committed while a statement is on
   * its way go together in the next one (one round trip and one COMMIT for the lot), one statement
   * at a time, so a credential's sign-ins commit in the order they came; two of one credential never
   * share a statement.
   */
  commitSignIn(challenge: string, credential: CredentialRecord, counter: number, backupState: boolean, at: number): Promise<CommitOutcome> {
    this.issued.delete(challenge);
    return new Promise((resolve, reject) => {
      this.commits.push({ challenge, credential, counter, backupState, at, resolve, reject });
      if (!this.committing) {
        this.committing = true;
        setImmediate(() => void this.commitQueued());
      }
    });
  }

  private async commitQueued() {
    try {
      while (this.commits.length) {
        // this statement's share: each credential once, the rest (in order) for the next statement
        const batch: QueuedCommit[] = [];
        const rest: QueuedCommit[] = [];
        const ids = new Set<string>();
        for (const q of this.commits) {
          if (ids.has(q.credential.id)) rest.push(q);
          else {
            ids.add(q.credential.id);
            batch.push(q);
          }
        }
        this.commits = rest;
        try {
          const outcomes = await this.commitBatch(batch);
          batch.forEach((q, i) => q.resolve(outcomes[i]!));
        } catch (e) {
          for (const q of batch) q.reject(e);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  /**
   * t: each challenge consumed, only while the stored credential is the one judged (same key, same
   * user); u: its counter moved under the counter rule, only if its challenge was consumed.
   */
  private async commitBatch(batch: QueuedCommit[]): Promise<CommitOutcome[]> {
    const rows = (await this.pool.query({
      name: 'fh_commit_sign_ins',
      text: `WITH i AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::bigint[], $6::boolean[], $7::bigint[]) AS x(challenge, id, public_key, user_id, counter, bs, at)),
        t AS (DELETE FROM challenges ch USING i WHERE ch.challenge = i.challenge
              AND EXISTS (SELECT 1 FROM credentials c WHERE c.id = i.id AND c.public_key = i.public_key AND c.user_id = i.user_id) RETURNING ch.challenge),
        u AS (UPDATE credentials c SET counter = i.counter, backup_state = i.bs, last_used_at = i.at FROM i
              WHERE c.id = i.id AND c.public_key = i.public_key AND c.user_id = i.user_id AND i.challenge IN (SELECT challenge FROM t)
              AND (c.counter < i.counter OR (c.counter = 0 AND i.counter = 0)) RETURNING i.challenge, c.counter_regressions)
        SELECT i.challenge, t.challenge IS NOT NULL AS taken, u.challenge IS NOT NULL AS used, u.counter_regressions AS regressions,
          t.challenge IS NULL AND EXISTS (SELECT 1 FROM credentials c WHERE c.id = i.id AND c.public_key = i.public_key AND c.user_id = i.user_id) AS same
        FROM i LEFT JOIN t ON t.challenge = i.challenge LEFT JOIN u ON u.challenge = i.challenge`,
      values: [batch.map((q) => q.challenge), batch.map((q) => q.credential.id), batch.map((q) => Buffer.from(q.credential.publicKey)), batch.map((q) => q.credential.userId), batch.map((q) => q.counter), batch.map((q) => q.backupState), batch.map((q) => q.at)],
    })).rows;
    const by = new Map(rows.map((r) => [r.challenge as string, r]));
    return batch.map((q): CommitOutcome => {
      const r = by.get(q.challenge);
      if (!r?.taken) {
        // not consumed: the challenge was used meanwhile, or the stored credential is not the one judged
        if (r?.same) return { outcome: 'used' };
        this.credentials.delete(q.credential.id);
        return { outcome: 'stale' };
      }
      if (!r.used) return { outcome: 'regressed' };
      const cached = this.credentials.get(q.credential.id);
      if (cached && cached.counter < q.counter) Object.assign(cached, { counter: q.counter, backupState: q.backupState, lastUsedAt: q.at });
      return { outcome: 'ok', counterRegressions: Number(r.regressions) };
    });
  }

  private judge(challenge: string, sessionId: string, r: Row | undefined) {
    if (!r) return CHALLENGE_UNKNOWN;
    const rec: ChallengeRecord<T> = { challenge, sessionId: r.session_id, client: r.client, issuedAt: Number(r.issued_at), expiresAt: Number(r.expires_at), context: JSON.parse(r.context) as T };
    return judgeTaken(rec, sessionId, this.limits.now(), this.limits.ttlMs);
  }

  async sweep() {
    const now = this.limits.now();
    for (const [k, rec] of this.issued) if (rec.expiresAt < now) this.issued.delete(k);
    await this.pool.query('DELETE FROM challenges WHERE expires_at < $1', [now]);
  }
}

const toAccount = (r: Row | undefined): AccountRecord | undefined => r && { id: r.id, name: r.name, team: r.team, role: r.role, createdAt: Number(r.created_at) };
const UNIQUE_VIOLATION = '23505';

export class PostgresAccountStore implements AccountStore {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async hasAccounts() {
    return ((await this.pool.query('SELECT 1 FROM accounts LIMIT 1')).rowCount ?? 0) > 0;
  }

  private async add(db: PoolClient, a: AccountRecord, pk: AccountPasskey) {
    try {
      await db.query('INSERT INTO accounts (id, name, team, role, created_at) VALUES ($1, $2, $3, $4, $5)', [a.id, a.name, a.team, a.role, a.createdAt]);
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION) throw nameTaken(a.name);
      throw e;
    }
    await db.query('INSERT INTO account_passkeys (id, account_id, public_key, counter, created_at) VALUES ($1, $2, $3, $4, $5)', [pk.id, a.id, Buffer.from(pk.publicKey), pk.counter, pk.createdAt]);
  }

  async createFirstAdmin(a: AccountRecord, pk: AccountPasskey) {
    await inTransaction(this.pool, async (db) => {
      // two first admins at once on two instances: the lock makes the second see the first
      await db.query('LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE');
      if ((await db.query('SELECT 1 FROM accounts LIMIT 1')).rowCount) throw firstAdminTaken();
      await this.add(db, { ...a, role: 'admin' }, pk);
    });
  }

  async createWithInvite(codeHash: string, now: number, a: Omit<AccountRecord, 'team' | 'role'>, pk: AccountPasskey) {
    return inTransaction(this.pool, async (db) => {
      // used up by this statement or not at all: of two people with one invite, one gets it
      const inv = (await db.query('UPDATE invites SET used_by = $2 WHERE code_hash = $1 AND used_by IS NULL AND expires_at >= $3 RETURNING team, role', [codeHash, a.id, now])).rows[0];
      if (!inv) throw inviteInvalid();
      const account: AccountRecord = { ...a, team: inv.team, role: inv.role };
      await this.add(db, account, pk);
      return account;
    });
  }

  async inviteUsable(codeHash: string, now: number) {
    return ((await this.pool.query('SELECT 1 FROM invites WHERE code_hash = $1 AND used_by IS NULL AND expires_at >= $2', [codeHash, now])).rowCount ?? 0) > 0;
  }

  async getAccount(id: string) {
    return toAccount((await this.pool.query('SELECT * FROM accounts WHERE id = $1', [id])).rows[0]);
  }

  async getPasskey(id: string) {
    const r = (await this.pool.query('SELECT * FROM account_passkeys WHERE id = $1', [id])).rows[0];
    return r && { id: r.id, accountId: r.account_id, publicKey: new Uint8Array(r.public_key as Buffer), counter: Number(r.counter), createdAt: Number(r.created_at) };
  }

  async passkeyIdsOf(name: string) {
    return (await this.pool.query('SELECT p.id FROM account_passkeys p JOIN accounts a ON a.id = p.account_id WHERE a.name = $1 ORDER BY p.created_at', [name])).rows.map((r) => r.id as string);
  }

  async recordPasskeyUse(id: string, counter: number) {
    const r = await this.pool.query('UPDATE account_passkeys SET counter = $2 WHERE id = $1 AND (counter < $2 OR (counter = 0 AND $2 = 0))', [id, counter]);
    if (r.rowCount) return 'ok' as const;
    return (await this.pool.query('SELECT 1 FROM account_passkeys WHERE id = $1', [id])).rowCount ? ('regressed' as const) : ('unknown' as const);
  }

  async createSession(tokenHash: string, accountId: string, expiresAt: number) {
    await this.pool.query('INSERT INTO account_sessions (token_hash, account_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (token_hash) DO UPDATE SET account_id = EXCLUDED.account_id, expires_at = EXCLUDED.expires_at', [tokenHash, accountId, expiresAt]);
  }

  async sessionAccount(tokenHash: string, now: number) {
    return toAccount((await this.pool.query('SELECT a.* FROM account_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1 AND s.expires_at >= $2', [tokenHash, now])).rows[0]);
  }

  async deleteSession(tokenHash: string) {
    await this.pool.query('DELETE FROM account_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async listAccounts() {
    return (await this.pool.query('SELECT * FROM accounts ORDER BY name')).rows.map((r) => toAccount(r)!);
  }

  async removeAccount(name: string) {
    // passkeys and sessions go with it (ON DELETE CASCADE)
    return ((await this.pool.query('DELETE FROM accounts WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  async sweep(now: number) {
    await this.pool.query('DELETE FROM account_sessions WHERE expires_at < $1', [now]);
    await this.pool.query('DELETE FROM invites WHERE used_by IS NULL AND expires_at < $1', [now]);
  }

  async createInvite(i: InviteRecord) {
    await this.pool.query('INSERT INTO invites (code_hash, team, role, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)', [i.codeHash, i.team, i.role, i.createdBy, i.expiresAt]);
  }

  async recordDeletion(d: DeletionRecord) {
    await this.pool.query('INSERT INTO deletions (kind, object_id, label, team, by_account, by_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [d.kind, d.objectId, d.label, d.team, d.byAccount, d.byName, d.at]);
  }

  async listDeletions(team?: string) {
    const rows = team === undefined
      ? (await this.pool.query('SELECT * FROM deletions ORDER BY at DESC, seq DESC LIMIT 500')).rows
      : (await this.pool.query('SELECT * FROM deletions WHERE team = $1 ORDER BY at DESC, seq DESC LIMIT 500', [team])).rows;
    return rows.map((r) => ({ kind: r.kind, objectId: r.object_id, label: r.label, team: r.team ?? null, byAccount: r.by_account ?? null, byName: r.by_name, at: Number(r.at) }));
  }
}
