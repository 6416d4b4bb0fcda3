/**
 * What the RP server keeps about accounts and their credentials. SQLite (embedded default),
 * in-memory (tests) and PostgreSQL implement it; one contract suite (storeContract.ts) runs on
 * each. Bytes are Uint8Array; times are epoch milliseconds. Every write resolves only once it
 * is committed, so the server never acknowledges what a crash could lose.
 */
export interface UserRecord {
  id: string; // base64url user handle
  username: string;
  displayName: string;
  createdAt: number;
  /** the team that registered it (accounts on); null or absent: nobody's (accounts off) */
  team?: string | null;
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
  /** the owner's username, filled in by reads */
  username?: string;
  /** the owner's team, filled in by reads (null: registered with accounts off) */
  team?: string | null;
}

/** what registration stores beyond the record: the raw response, for later re-analysis */
/** A copy a caller may change without touching the cached record it came from. */
export const copyCredential = (c: CredentialRecord): CredentialRecord => ({ ...c, transports: [...c.transports] });

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

/** A write the store refused because it would contradict what it holds. Nothing was written. */
export class StoreConflict extends Error {
  readonly reason: 'CREDENTIAL_EXISTS' | 'USERNAME_TAKEN';
  constructor(reason: StoreConflict['reason'], message: string) {
    super(message);
    this.name = 'StoreConflict';
    this.reason = reason;
  }
}

export interface CredentialStore {
  getUserByName(username: string): Promise<UserRecord | undefined>;
  getUserById(id: string): Promise<UserRecord | undefined>;
  /**
   * The user (when new) and the credential, atomically. StoreConflict when the credential ID is
   * taken, or the username already belongs to another user handle (one handle per username).
   */
  addCredential(user: UserRecord, cred: CredentialRecord & RegistrationEvidence): Promise<void>;
  /** the record without the raw registration bytes (the hot path of every sign-in) */
  getCredential(id: string): Promise<CredentialRecord | undefined>;
  getRegistrationEvidence(id: string): Promise<RegistrationEvidence | undefined>;
  listCredentials(userId?: string): Promise<CredentialRecord[]>;
  deleteCredential(id: string): Promise<boolean>;
  /**
   * After a verified assertion: the new counter, stored only if it is still greater than the
   * stored one (or both are 0), atomically, so two concurrent sign-ins can never both be
   * accepted with the same counter. 'regressed' when it was not (nothing written; the caller
   * records the regression). Resolves once committed (implementations may commit several together).
   */
  recordUse(id: string, counter: number, backupState: boolean, at: number): Promise<'ok' | 'regressed' | 'unknown'>;
  /** a counter that did not increase: counted on the credential and logged */
  recordCounterRegression(r: CounterRegression): Promise<void>;
  listCounterRegressions(credentialId: string): Promise<CounterRegression[]>;
  close(): Promise<void>;
}
