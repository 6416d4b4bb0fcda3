import { Worker } from 'node:worker_threads';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { writeCounters, type CounterRow } from './sqliteTx.ts';
/** a batch sent to the commit thread, and its answer */
export interface CounterCommit {
  seq: number;
  rows: CounterRow[];
}
export type CounterCommitted = { seq: number; ok: true } | { seq: number; ok: false; message: string };

/** Commits a batch of counter updates in one transaction; resolves once it is durable. */
export interface CounterCommitter {
  commit(rows: CounterRow[]): Promise<void>;
  close(): Promise<void>;
}

/** the COMMIT on the caller's thread (an in-memory database, which no other connection can open) */
export function inThreadCommitter(db: DatabaseSync, use: StatementSync): CounterCommitter {
  return {
    async commit(rows) {
      if (!db.isOpen) throw new Error('the store is closed');
      writeCounters(db, use, rows);
    },
    async close() {},
  };
}

const workerUrl = new URL(`./sqliteCounterWorker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/**
 * The COMMIT on a thread of its own with its own connection to `file`: the server's event loop
 * goes on answering while the transaction's fsync waits. Started at the first batch; held
 * referenced only while a batch is in flight (an idle store never keeps a process alive); a
 * thread that dies fails its batch and the next batch starts a new one.
 */
export function workerCommitter(file: string): CounterCommitter {
  let worker: Worker | undefined;
  let seq = 0;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let closed = false;
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  const start = (): Worker => {
    const w = new Worker(workerUrl, { workerData: { file } });
    w.on('message', (a: CounterCommitted) => {
      const p = waiting.get(a.seq);
      waiting.delete(a.seq);
      if (waiting.size === 0) w.unref();
      if (a.ok) p?.resolve();
      else p?.reject(new Error(`the counter update was not committed: ${a.message}`));
    });
    w.on('error', (e) => {
      if (worker === w) worker = undefined;
      failAll(new Error(`the counter commit thread failed: ${e.message}`));
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(new Error(`the counter commit thread stopped (exit ${code}) before it answered`));
    });
    return w;
  };
  return {
    commit(rows) {
      if (closed) return Promise.reject(new Error('the store is closed'));
      worker ??= start();
      const n = ++seq;
      worker.ref();
      return new Promise((resolve, reject) => {
        waiting.set(n, { resolve, reject });
        worker!.postMessage({ seq: n, rows } satisfies CounterCommit);
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      if (!w) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.ref();
      w.postMessage('close');
      await exited;
    },
  };
}
