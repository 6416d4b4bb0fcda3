import type { CredentialRecord } from '../storage/CredentialStore.ts';
import { HarnessError } from '../../../conformance/src/index.ts';

/**
 * Issued challenges, server-side. Single use: `take` removes the record whatever the
 * outcome, so a response can never be replayed, not even after a failed attempt. Bound to
 * the session that asked for it. Expire after the TTL. Bounded and shared fairly: a session keeps
 * at most `maxPerSession` (its own oldest dropped), a client address at most `maxPerClient` (more
 * is refused: cookieless requests cannot mint sessions to get round it), and the whole store at
 * most `maxEntries`: when it is full, the asking session's own oldest challenge makes room, and a
 * session with none is refused. Nothing ever evicts a challenge of another session, so a client
 * asking for options in a loop (on loopback every client shares 127.0.0.1) cannot end someone
 * else's pending ceremony. The same rules hold in PostgreSQL, exactly, under concurrency.
 */
export interface ChallengeRecord<T> {
  challenge: string;
  sessionId: string;
  /** the client address that asked (fair shares) */
  client: string;
  issuedAt: number;
  expiresAt: number;
  /** what the verify step needs to know about the options that were sent */
  context: T;
}

export type TakeResult<T> =
  | { ok: true; record: ChallengeRecord<T> }
  | { ok: false; code: 'CHALLENGE_UNKNOWN' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_SESSION_MISMATCH'; message: string };

/**
 * What the routes use: the in-memory store below (one server) or a table in a database several
 * instances share (PostgreSQL), where `take` is one atomic delete-returning so a challenge is
 * used once across every instance.
 */
export interface Challenges<T> {
  issue(challenge: string, sessionId: string, context: T, client?: string): Promise<ChallengeRecord<T>>;
  take(challenge: string, sessionId: string): Promise<TakeResult<T>>;
  /**
   * Where the challenges live with the credentials (a shared database): take the challenge and read
   * the credential the response names in one round trip. The same outcome as take, then
   * getCredential when the take succeeded (tested in PostgresStores.test.ts and the two-instance tests).
   */
  takeWithCredential?(challenge: string, sessionId: string, credentialId: string): Promise<{ taken: TakeResult<T>; credential: CredentialRecord | undefined }>;
  /**
   * A sign-in this instance can judge on its own copies, without a round trip: a challenge it issued
   * itself and a credential it read before (the shared-database store). Nothing is consumed: the
   * caller either commits with commitSignIn or, on any refusal, consumes the challenge with take.
   * Undefined when this instance lacks either copy.
   */
  ownCopies?(challenge: string, sessionId: string, credentialId: string): { taken: TakeResult<T>; credential: CredentialRecord } | undefined;
  /**
   * Commit a sign-in judged on own copies in one statement: the challenge consumed and the counter
   * moved (counter rule), only while the stored credential is still the one judged (same key, same
   * user). 'stale': it is not (deleted, or re-registered), nothing consumed, judge again the long
   * way; 'used': the challenge was consumed meanwhile (a replay); 'regressed': the counter rule
   * refused, the challenge is consumed.
   */
  commitSignIn?(challenge: string, credential: CredentialRecord, counter: number, backupState: boolean, at: number): Promise<{ outcome: 'ok'; counterRegressions: number } | { outcome: 'stale' | 'used' | 'regressed' }>;
  sweep(): Promise<void>;
}

export interface ChallengeLimits {
  ttlMs: number;
  now: () => number;
  maxEntries?: number;
  maxPerSession?: number;
  maxPerClient?: number;
}

export const DEFAULT_MAX_PER_SESSION = 64;
export const DEFAULT_MAX_PER_CLIENT = 20_000;

export const tooManyChallenges = (pending: number, ttlMs: number, where = 'this client address') =>
  new HarnessError('TOO_MANY_CHALLENGES', `${pending} challenges are pending for ${where}: finish those ceremonies or wait ${Math.round(ttlMs / 1000)} s for them to expire`, { status: 429 });

export const CHALLENGE_UNKNOWN = { ok: false, code: 'CHALLENGE_UNKNOWN', message: 'this challenge was never issued or was already used: ask for new options and try again' } as const;

/** the checks after a record was removed: the same session, not expired */
export function judgeTaken<T>(rec: ChallengeRecord<T>, sessionId: string, now: number, ttlMs: number): TakeResult<T> {
  if (rec.sessionId !== sessionId) {
    return { ok: false, code: 'CHALLENGE_SESSION_MISMATCH', message: 'this challenge was issued to another session: the response must come from the browser that requested the options' };
  }
  if (now > rec.expiresAt) {
    return { ok: false, code: 'CHALLENGE_EXPIRED', message: `this challenge expired ${Math.round((now - rec.expiresAt) / 1000)} s ago (TTL ${ttlMs / 1000} s): ask for new options and try again` };
  }
  return { ok: true, record: rec };
}

/** the in-memory store behind the async interface */
export function memoryChallenges<T>(o: ChallengeLimits): Challenges<T> & { readonly size: number } {
  const s = new ChallengeStore<T>(o);
  return {
    issue: async (challenge, sessionId, context, client) => s.issue(challenge, sessionId, context, client),
    take: async (challenge, sessionId) => s.take(challenge, sessionId),
    sweep: async () => s.sweep(),
    get size() {
      return s.size;
    },
  };
}

export class ChallengeStore<T> {
  private readonly byChallenge = new Map<string, ChallengeRecord<T>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly maxPerSession: number;
  private readonly maxPerClient: number;
  private readonly perSession = new Map<string, string[]>();
  private readonly perClient = new Map<string, Set<string>>();

  constructor(o: ChallengeLimits) {
    this.ttlMs = o.ttlMs;
    this.now = o.now;
    this.maxEntries = o.maxEntries ?? 100_000;
    this.maxPerSession = o.maxPerSession ?? DEFAULT_MAX_PER_SESSION;
    this.maxPerClient = o.maxPerClient ?? DEFAULT_MAX_PER_CLIENT;
  }

  get size() {
    return this.byChallenge.size;
  }

  issue(challenge: string, sessionId: string, context: T, client = 'unknown'): ChallengeRecord<T> {
    const mine = this.perClient.get(client);
    if (mine && mine.size >= this.maxPerClient) throw tooManyChallenges(mine.size, this.ttlMs);
    const own = this.perSession.get(sessionId);
    // full: room is made from this session's own challenges only, or the request is refused
    if (this.byChallenge.size >= this.maxEntries && !own?.length) throw tooManyChallenges(this.byChallenge.size, this.ttlMs, 'the server');
    const t = this.now();
    const rec = { challenge, sessionId, client, issuedAt: t, expiresAt: t + this.ttlMs, context };
    this.byChallenge.set(challenge, rec);
    const list = this.perSession.get(sessionId) ?? [];
    list.push(challenge);
    this.perSession.set(sessionId, list);
    const set = mine ?? new Set<string>();
    set.add(challenge);
    this.perClient.set(client, set);
    if (list.length > this.maxPerSession || this.byChallenge.size > this.maxEntries) this.forget(this.byChallenge.get(list[0]!)!);
    return rec;
  }

  take(challenge: string, sessionId: string): TakeResult<T> {
    const rec = this.byChallenge.get(challenge);
    if (!rec) return CHALLENGE_UNKNOWN;
    this.forget(rec);
    return judgeTaken(rec, sessionId, this.now(), this.ttlMs);
  }

  /** drop expired records; called on a timer */
  sweep() {
    const t = this.now();
    for (const rec of this.byChallenge.values()) if (t > rec.expiresAt) this.forget(rec);
  }

  private forget(rec: ChallengeRecord<T>) {
    this.byChallenge.delete(rec.challenge);
    const c = this.perClient.get(rec.client);
    if (c) {
      c.delete(rec.challenge);
      if (c.size === 0) this.perClient.delete(rec.client);
    }
    const list = this.perSession.get(rec.sessionId);
    if (!list) return;
    const i = list.indexOf(rec.challenge);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.perSession.delete(rec.sessionId);
  }
}
