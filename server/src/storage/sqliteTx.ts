import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** fn in one write transaction (BEGIN IMMEDIATE): committed whole, or rolled back and rethrown */
export function tx(db: DatabaseSync, fn: () => void) {
  db.exec('BEGIN IMMEDIATE');
  try {
    fn();
    db.exec('COMMIT');
  } catch (e) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // a failed COMMIT may already have ended the transaction
    }
    throw e;
  }
}

/** one credential's counter update, as committed */
export interface CounterRow {
  id: string;
  counter: number;
  backupState: boolean;
  at: number;
}

/** the counter columns' update, one batch in one transaction */
export const COUNTER_UPDATE = 'UPDATE credentials SET counter = ?, backup_state = ?, last_used_at = ? WHERE id = ?';
export function writeCounters(db: DatabaseSync, use: StatementSync, rows: CounterRow[]) {
  tx(db, () => {
    for (const r of rows) use.run(r.counter, r.backupState ? 1 : 0, r.at, r.id);
  });
}
