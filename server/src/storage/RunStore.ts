import type { RunEvidence } from '../../../conformance/src/index.ts';

/** A conformance run as stored: its evidence and what the list view needs. */
export interface StoredRun {
  id: string;
  aaguid: string | null;
  label: string;
  firmware: string | null;
  via: string;
  startedAt: string;
  verdict: 'pass' | 'fail' | 'incomplete' | null;
  evidence: RunEvidence;
  /** the team whose run it is (accounts on); null or absent: nobody's */
  team?: string | null;
}

/** Guided and uploaded conformance runs (SQLite, in-memory, PostgreSQL; the same contract suite). */
export interface RunStore {
  /** insert or replace; resolves once committed */
  saveRun(run: StoredRun): Promise<void>;
  getRun(id: string): Promise<StoredRun | undefined>;
  /**
   * Read, change and write one run as one atomic step (a row lock on PostgreSQL, an immediate
   * transaction on SQLite): two step results posted at once both land. `change` is synchronous
   * and may throw (nothing is written). Resolves to the run as written, undefined when there is
   * no such run.
   */
  updateRun(id: string, change: (current: StoredRun) => StoredRun): Promise<StoredRun | undefined>;
  /** newest first (at most 500); by AAGUID when given */
  listRuns(aaguid?: string): Promise<StoredRun[]>;
  /** true when there was such a run */
  deleteRun(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The two stores a server needs; `close` closes both (and whatever they share). */
export interface Stores {
  credentials: import('./CredentialStore.ts').CredentialStore;
  runs: RunStore;
  accounts: import('./AccountStore.ts').AccountStore;
  /**
   * When several server instances share this database: challenges kept in it too, so any
   * instance verifies what another issued (absent: challenges live in the process).
   */
  challenges?: <T>(o: import('../challenges/ChallengeStore.ts').ChallengeLimits) => import('../challenges/ChallengeStore.ts').Challenges<T>;
  /** what the server's start line and /api/config say about the store ("SQLite ./data/…", "PostgreSQL host/db") */
  describe?: string;
  close(): Promise<void>;
}
