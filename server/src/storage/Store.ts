/**
 * Persistence the RP server needs. SqliteStore is the embedded default; a PostgreSQL store
 * implements the same interface. Bytes are Uint8Array; times are epoch milliseconds.
 */
export interface UserRecord {
  id: string; // base64url user handle
  username: string;
  displayName: string;
  createdAt: number;
}

export interface CredentialRecord {
  id: string; // base64url credential ID
  userId: string;
  publicKey: Uint8Array; // COSE_Key as registered
  alg: number;
  counter: number;
  transports: string[];
  aaguid: string;
  fmt: string;
  backupEligible: boolean;
  backupState: boolean;
  discoverable: boolean | null; // credProps.rk when the client reported it
  createdAt: number;
  lastUsedAt: number | null;
  counterRegressions: number;
  /** the owner's username, filled in by getCredential */
  username?: string;
}

/** what registration stores beyond the record: the raw response, for later re-analysis */
export interface RegistrationEvidence {
  attestationObject: Uint8Array;
  clientDataJSON: Uint8Array;
}

export interface CounterRegression {
  credentialId: string;
  stored: number;
  received: number;
  at: number;
}

/** A conformance run as stored: its evidence (JSON) and what the list view needs. */
export interface StoredRun {
  id: string;
  aaguid: string | null;
  label: string;
  firmware: string | null;
  via: string;
  startedAt: string;
  verdict: string | null;
  evidence: string;
}

export interface Store {
  getUserByName(username: string): UserRecord | undefined;
  getUserById(id: string): UserRecord | undefined;
  /** adds the user (if new) and the credential atomically */
  addCredential(user: UserRecord, cred: CredentialRecord & RegistrationEvidence): void;
  /** the record without the raw registration bytes (the hot path of every sign-in) */
  getCredential(id: string): CredentialRecord | undefined;
  getRegistrationEvidence(id: string): RegistrationEvidence | undefined;
  listCredentials(userId?: string): CredentialRecord[];
  deleteCredential(id: string): boolean;
  /** after a verified assertion; may be group-committed, but later reads see it */
  recordUse(id: string, counter: number, backupState: boolean, at: number): void;
  /** a counter that did not increase: counted on the credential and logged */
  recordCounterRegression(r: CounterRegression): void;
  listCounterRegressions(credentialId: string): CounterRegression[];
  /** insert or replace a conformance run */
  saveRun(run: StoredRun): void;
  getRun(id: string): StoredRun | undefined;
  /** newest first; by AAGUID when given */
  listRuns(aaguid?: string): StoredRun[];
  close(): void;
}
