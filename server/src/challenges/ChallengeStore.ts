/**
 * Issued challenges, server-side. Single use: `take` removes the record whatever the
 * outcome, so a response can never be replayed, not even after a failed attempt. Bound to
 * the session that asked for it. Expire after the TTL. Bounded in memory (oldest evicted)
 * so a client that asks for options in a loop cannot grow the process.
 */
export interface ChallengeRecord<T> {
  challenge: string;
  sessionId: string;
  issuedAt: number;
  expiresAt: number;
  /** what the verify step needs to know about the options that were sent */
  context: T;
}

export type TakeResult<T> =
  | { ok: true; record: ChallengeRecord<T> }
  | { ok: false; code: 'CHALLENGE_UNKNOWN' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_SESSION_MISMATCH'; message: string };

export class ChallengeStore<T> {
  private readonly byChallenge = new Map<string, ChallengeRecord<T>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly maxPerSession: number;
  private readonly perSession = new Map<string, string[]>();

  constructor(o: { ttlMs: number; now: () => number; maxEntries?: number; maxPerSession?: number }) {
    this.ttlMs = o.ttlMs;
    this.now = o.now;
    this.maxEntries = o.maxEntries ?? 100_000;
    this.maxPerSession = o.maxPerSession ?? 64;
  }

  get size() {
    return this.byChallenge.size;
  }

  issue(challenge: string, sessionId: string, context: T): ChallengeRecord<T> {
    const t = this.now();
    const rec = { challenge, sessionId, issuedAt: t, expiresAt: t + this.ttlMs, context };
    this.byChallenge.set(challenge, rec);
    const list = this.perSession.get(sessionId) ?? [];
    list.push(challenge);
    if (list.length > this.maxPerSession) this.byChallenge.delete(list.shift()!);
    this.perSession.set(sessionId, list);
    while (this.byChallenge.size > this.maxEntries) {
      const oldest = this.byChallenge.keys().next().value as string;
      this.forget(this.byChallenge.get(oldest)!);
    }
    return rec;
  }

  take(challenge: string, sessionId: string): TakeResult<T> {
    const rec = this.byChallenge.get(challenge);
    if (!rec) {
      return { ok: false, code: 'CHALLENGE_UNKNOWN', message: 'this challenge was never issued or was already used: ask for new options and try again' };
    }
    this.forget(rec);
    if (rec.sessionId !== sessionId) {
      return { ok: false, code: 'CHALLENGE_SESSION_MISMATCH', message: 'this challenge was issued to another session: the response must come from the browser that requested the options' };
    }
    if (this.now() > rec.expiresAt) {
      return { ok: false, code: 'CHALLENGE_EXPIRED', message: `this challenge expired ${Math.round((this.now() - rec.expiresAt) / 1000)} s ago (TTL ${this.ttlMs / 1000} s): ask for new options and try again` };
    }
    return { ok: true, record: rec };
  }

  /** drop expired records; called on a timer */
  sweep() {
    const t = this.now();
    for (const rec of this.byChallenge.values()) if (t > rec.expiresAt) this.forget(rec);
  }

  private forget(rec: ChallengeRecord<T>) {
    this.byChallenge.delete(rec.challenge);
    const list = this.perSession.get(rec.sessionId);
    if (!list) return;
    const i = list.indexOf(rec.challenge);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.perSession.delete(rec.sessionId);
  }
}
