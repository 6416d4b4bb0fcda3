/**
 * People who use a shared harness (accounts on): each signs in with a passkey of their own,
 * belongs to one team, and sees only that team's credentials and runs (an admin sees all).
 * Sessions, invites and the record of deletions live here too, so every instance of a server
 * sharing one database agrees on them. Times are epoch milliseconds.
 */
export type AccountRole = 'admin' | 'member';

export interface AccountRecord {
  id: string;
  name: string;
  team: string;
  role: AccountRole;
  createdAt: number;
}

/** a passkey a person signs in to the harness with (not a key under test) */
export interface AccountPasskey {
  id: string; // base64url credential ID
  accountId: string;
  publicKey: Uint8Array; // COSE_Key
  counter: number;
  createdAt: number;
}

export interface InviteRecord {
  /** SHA-256 of the invite code, hex: the code itself is shown once and never stored */
  codeHash: string;
  team: string;
  role: AccountRole;
  createdBy: string;
  expiresAt: number;
}

/** who deleted what: credentials and runs are gone, this stays */
export interface DeletionRecord {
  kind: 'credential' | 'run' | 'account';
  objectId: string;
  label: string;
  team: string | null;
  /** the account, or null when accounts are off (then `byName` is the client address) */
  byAccount: string | null;
  byName: string;
  at: number;
}

/** why an account write was refused; nothing was written */
export class AccountConflict extends Error {
  readonly reason: 'ACCOUNT_EXISTS' | 'ACCOUNT_NAME_TAKEN' | 'INVITE_INVALID';
  constructor(reason: AccountConflict['reason'], message: string) {
    super(message);
    this.name = 'AccountConflict';
    this.reason = reason;
  }
}

export const firstAdminTaken = () => new AccountConflict('ACCOUNT_EXISTS', 'the first admin exists already: ask an admin for an invite');
export const nameTaken = (name: string) => new AccountConflict('ACCOUNT_NAME_TAKEN', `the name "${name}" is taken: choose another`);
export const inviteInvalid = () => new AccountConflict('INVITE_INVALID', 'this invite is unknown, was used already or has expired: ask an admin for a new one');

export interface AccountStore {
  hasAccounts(): Promise<boolean>;
  /** the first account, an admin: refused (ACCOUNT_EXISTS) once any account exists, atomically */
  createFirstAdmin(a: AccountRecord, passkey: AccountPasskey): Promise<void>;
  /**
   * an account through an invite, which is used up in the same transaction: its team and role
   * are the invite's. INVITE_INVALID when unknown, used or expired at `now`.
   */
  createWithInvite(codeHash: string, now: number, a: Omit<AccountRecord, 'team' | 'role'>, passkey: AccountPasskey): Promise<AccountRecord>;
  /** whether an invite could be used now (not consumed: createWithInvite decides, atomically) */
  inviteUsable(codeHash: string, now: number): Promise<boolean>;
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getPasskey(id: string): Promise<AccountPasskey | undefined>;
  /** the credential IDs of the passkeys of the account with this name (none: no such account) */
  passkeyIdsOf(name: string): Promise<string[]>;
  /** the counter rule of counterRule.ts, atomically */
  recordPasskeyUse(id: string, counter: number): Promise<'ok' | 'regressed' | 'unknown'>;
  createSession(tokenHash: string, accountId: string, expiresAt: number): Promise<void>;
  /** the signed-in account, or undefined when the session is unknown or expired at `now` */
  sessionAccount(tokenHash: string, now: number): Promise<AccountRecord | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** every account, by name */
  listAccounts(): Promise<AccountRecord[]>;
  /** the account with this name, its passkeys and sessions (signed out at once); false when there was none */
  removeAccount(name: string): Promise<boolean>;
  /** forget sessions and unused invites that expired before `now` (a timer calls it) */
  sweep(now: number): Promise<void>;
  createInvite(i: InviteRecord): Promise<void>;
  recordDeletion(d: DeletionRecord): Promise<void>;
  /** newest first (at most 500); one team's when `team` is given */
  listDeletions(team?: string): Promise<DeletionRecord[]>;
}
