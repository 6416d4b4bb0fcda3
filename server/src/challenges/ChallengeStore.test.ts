import { describe, expect, it } from 'vitest';
import { ChallengeStore } from './ChallengeStore.ts';

describe('ChallengeStore', () => {
  const make = (o: { maxEntries?: number; maxPerSession?: number; maxPerClient?: number } = {}) => {
    const clock = { now: 1_000_000 };
    return { clock, store: new ChallengeStore<string>({ ttlMs: 1000, now: () => clock.now, ...o }) };
  };

  it('a challenge is taken once, by its own session, before it expires', () => {
    const { clock, store } = make();
    store.issue('c1', 's1', 'ctx');
    expect(store.take('c1', 's1')).toMatchObject({ ok: true, record: { context: 'ctx' } });
    expect(store.take('c1', 's1')).toMatchObject({ ok: false, code: 'CHALLENGE_UNKNOWN' });
    store.issue('c2', 's1', 'ctx');
    expect(store.take('c2', 's2')).toMatchObject({ ok: false, code: 'CHALLENGE_SESSION_MISMATCH' });
    expect(store.take('c2', 's1')).toMatchObject({ ok: false, code: 'CHALLENGE_UNKNOWN' });
    store.issue('c3', 's1', 'ctx');
    clock.now += 1001;
    expect(store.take('c3', 's1')).toMatchObject({ ok: false, code: 'CHALLENGE_EXPIRED' });
  });

  it('exactly at the TTL is still valid; one ms later is not', () => {
    const { clock, store } = make();
    store.issue('a', 's', 'x');
    store.issue('b', 's', 'x');
    clock.now += 1000;
    expect(store.take('a', 's').ok).toBe(true);
    clock.now += 1;
    expect(store.take('b', 's').ok).toBe(false);
  });

  it('sweep drops expired records; memory is bounded per session and overall', () => {
    const { clock, store } = make({ maxEntries: 100, maxPerSession: 3 });
    for (let i = 0; i < 5; i++) store.issue(`p${i}`, 'greedy', 'x');
    expect(store.size).toBe(3);
    expect(store.take('p0', 'greedy').ok).toBe(false);
    expect(store.take('p4', 'greedy').ok).toBe(true);
    for (let i = 0; i < 97; i++) store.issue(`g${i}`, `s${i}`, 'x');
    expect(store.size).toBe(99);
    store.issue('g97', 's97', 'x');
    expect(store.size).toBe(100);
    // full: a new session is refused; a session with challenges makes room from its own
    expect(() => store.issue('g98', 's98', 'x')).toThrow(/100 challenges are pending for the server/);
    store.issue('p5', 'greedy', 'x');
    expect(store.size).toBe(100);
    expect(store.take('p2', 'greedy').ok).toBe(false);
    expect(store.take('g0', 's0').ok).toBe(true);
    clock.now += 5000;
    store.sweep();
    expect(store.size).toBe(0);
  });

  it('one address asking in a loop without cookies cannot evict another client\'s pending challenge', () => {
    const { store } = make({ maxEntries: 100, maxPerClient: 60 });
    store.issue('victim', 'alice', 'x', '192.0.2.1');
    for (let i = 0; i < 60; i++) store.issue(`flood${i}`, `cookieless${i}`, 'x', '192.0.2.66');
    expect(() => store.issue('one-more', 'cookieless-x', 'x', '192.0.2.66')).toThrow(/60 challenges are pending for this client address/);
    // a second flooding address fills the store: its new sessions are refused, nobody's challenge is evicted
    for (let i = 0; i < 39; i++) store.issue(`flood-b${i}`, `cb${i}`, 'x', '192.0.2.67');
    expect(store.size).toBe(100);
    expect(() => store.issue('flood-b39', 'cb39', 'x', '192.0.2.67')).toThrow(/pending for the server/);
    expect(store.take('victim', 'alice').ok).toBe(true);
  });

  it('on loopback every client shares one address: one session\'s loop only ever drops its own challenges, never another session\'s', () => {
    const { store } = make({ maxEntries: 50, maxPerSession: 64, maxPerClient: 1000 });
    store.issue('alice-1', 'alice', 'x', '127.0.0.1');
    for (let i = 0; i < 49; i++) store.issue(`loop${i}`, 'looper', 'x', '127.0.0.1');
    for (let i = 49; i < 500; i++) store.issue(`loop${i}`, 'looper', 'x', '127.0.0.1');
    expect(store.size).toBe(50);
    expect(store.take('alice-1', 'alice').ok).toBe(true);
    expect(store.take('loop499', 'looper').ok).toBe(true);
  });
});
