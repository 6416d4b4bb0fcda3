import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { COUNTER_UPDATE, writeCounters } from './sqliteTx.ts';
import type { CounterCommit, CounterCommitted } from './sqliteCounterCommits.ts';

/**
 * The thread that commits SQLite counter updates: its own connection to the server's file,
 * the same durability (WAL, synchronous FULL), one transaction per batch it is sent. The COMMIT
 * and its fsync wait here, not on the server's event loop.
 */
const db = new DatabaseSync((workerData as { file: string }).file);
db.exec('PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
const use = db.prepare(COUNTER_UPDATE);

parentPort!.on('message', (m: CounterCommit | 'close') => {
  if (m === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let answer: CounterCommitted;
  try {
    writeCounters(db, use, m.rows);
    answer = { seq: m.seq, ok: true };
  } catch (e) {
    answer = { seq: m.seq, ok: false, message: (e as Error).message };
  }
  parentPort!.postMessage(answer);
});
