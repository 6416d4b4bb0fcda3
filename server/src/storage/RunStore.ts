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

/** What the run list shows: the summary columns kept at write time, never the evidence. */
export type RunSummary = Omit<StoredRun, 'evidence'>;

/** Which runs, and which page of them: newest first (startedAt descending, then id). */
export interface RunQuery {
  aaguid?: string;
  /** only this team's runs (undefined: every team's, as an admin or with accounts off) */
  team?: string;
  /** the last run of the previous page: this page starts after it */
  after?: { startedAt: string; id: string };
  /** page size, 1-500 */
  limit: number;
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
  /**
   * One page of runs, newest first: filtered (AAGUID, team) before the page is cut, so another
   * team's runs never push one's own out; read from the summary columns, so the cost does not
   * grow with the evidence runs carry.
   */
  listRuns(q: RunQuery): Promise<RunSummary[]>;
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
