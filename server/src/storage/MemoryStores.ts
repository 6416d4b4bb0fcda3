import { refuseNul } from './refuseNul.ts';
import { StoreConflict, type CounterRegression, type CredentialRecord, type CredentialStore, type RegistrationEvidence, type UserRecord } from './CredentialStore.ts';
import type { RunQuery, RunStore, RunSummary, StoredRun, Stores } from './RunStore.ts';
import { firstAdminTaken, inviteInvalid, nameTaken, type AccountPasskey, type AccountRecord, type AccountStore, type DeletionRecord, type InviteRecord } from './AccountStore.ts';
import { counterAccepted } from './counterRule.ts';

/**
 * Stores in this process's memory: for tests and throw-away servers (`--store memory`).
 * Everything is copied in and out, so callers never share objects with the store.
 */
export function openMemoryStores(): Stores {
  const credentials = new MemoryCredentialStore();
  const runs = new MemoryRunStore();
  return { credentials: refuseNul(credentials, 'credentials'), runs: refuseNul(runs, 'runs'), accounts: refuseNul(new MemoryAccountStore(), 'accounts'), close: async () => {} };
}

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryCredentialStore implements CredentialStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly creds = new Map<string, CredentialRecord & RegistrationEvidence>();
  private readonly regressions: CounterRegression[] = [];

  private present(c: CredentialRecord & RegistrationEvidence): CredentialRecord {
    const { attestationObject: _a, clientDataJSON: _c, ...rest } = c;
    const u = this.users.get(c.userId);
    return { ...copy(rest), username: u?.username, team: u?.team ?? null };
  }

  async getUserByName(username: string) {
    const u = [...this.users.values()].find((x) => x.username === username);
    return u && copy({ ...u, team: u.team ?? null });
  }

  async getUserById(id: string) {
    const u = this.users.get(id);
    return u && copy({ ...u, team: u.team ?? null });
  }

  async addCredential(user: UserRecord, cred: CredentialRecord & RegistrationEvidence) {
    // check and write in one synchronous step: no other call can run in between
    const owner = [...this.users.values()].find((x) => x.username === user.username);
    if (owner && owner.id !== user.id) throw new StoreConflict('USERNAME_TAKEN', `the username "${user.username}" was registered by another session meanwhile, with another user handle`);
    if (this.creds.has(cred.id)) throw new StoreConflict('CREDENTIAL_EXISTS', 'this credential ID is already registered');
    if (!this.users.has(user.id)) this.users.set(user.id, copy({ ...user, team: user.team ?? null }));
    const { username: _u, team: _t, ...record } = cred;
    this.creds.set(cred.id, copy({ ...record, counterRegressions: 0 }));
  }

  async getCredential(id: string) {
    const c = this.creds.get(id);
    return c && this.present(c);
  }

  async getRegistrationEvidence(id: string) {
    const c = this.creds.get(id);
    return c && { attestationObject: new Uint8Array(c.attestationObject), clientDataJSON: new Uint8Array(c.clientDataJSON) };
  }

  async listCredentials(userId?: string) {
    return [...this.creds.values()].filter((c) => userId === undefined || c.userId === userId).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map((c) => this.present(c));
  }

  async deleteCredential(id: string) {
    return this.creds.delete(id);
  }

  async recordUse(id: string, counter: number, backupState: boolean, at: number) {
    const c = this.creds.get(id);
    if (!c) return 'unknown' as const;
    if (!counterAccepted(c.counter, counter)) return 'regressed' as const;
    Object.assign(c, { counter, backupState, lastUsedAt: at });
    return 'ok' as const;
  }

  async recordCounterRegression(r: CounterRegression) {
    const c = this.creds.get(r.credentialId);
    if (c) c.counterRegressions += 1;
    this.regressions.push({ ...r });
  }

  async listCounterRegressions(credentialId: string) {
    return this.regressions.filter((r) => r.credentialId === credentialId).sort((a, b) => a.at - b.at).map((r) => ({ ...r }));
  }

  async close() {}
}

export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, StoredRun>();

  async saveRun(run: StoredRun) {
    this.runs.set(run.id, copy({ ...run, team: run.team ?? null }));
  }

  async getRun(id: string) {
    const r = this.runs.get(id);
    return r && copy(r);
  }

  async updateRun(id: string, change: (current: StoredRun) => StoredRun) {
    const current = this.runs.get(id);
    if (!current) return undefined;
    const changed = change(copy(current));
    const next = copy({ ...changed, team: changed.team ?? null });
    this.runs.set(id, next);
    return copy(next);
  }

  async deleteRun(id: string) {
    return this.runs.delete(id);
  }

  async listRuns(q: RunQuery) {
    const a = q.after;
    return [...this.runs.values()]
      .filter((r) => (q.aaguid === undefined || r.aaguid === q.aaguid) && (q.team === undefined || r.team === q.team))
      .sort((x, y) => (x.startedAt < y.startedAt ? 1 : x.startedAt > y.startedAt ? -1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .filter((r) => !a || r.startedAt < a.startedAt || (r.startedAt === a.startedAt && r.id > a.id))
      .slice(0, q.limit)
      .map(({ evidence: _, ...summary }): RunSummary => ({ ...summary, team: summary.team ?? null }));
  }

  async close() {}
}

export class MemoryAccountStore implements AccountStore {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly passkeys = new Map<string, AccountPasskey>();
  private readonly sessions = new Map<string, { accountId: string; expiresAt: number }>();
  private readonly invites = new Map<string, InviteRecord & { usedBy?: string }>();
  private readonly deletions: DeletionRecord[] = [];

  async hasAccounts() {
    return this.accounts.size > 0;
  }

  private add(a: AccountRecord, pk: AccountPasskey) {
    if ([...this.accounts.values()].some((x) => x.name === a.name)) throw nameTaken(a.name);
    this.accounts.set(a.id, copy(a));
    this.passkeys.set(pk.id, copy(pk));
  }

  async createFirstAdmin(a: AccountRecord, pk: AccountPasskey) {
    if (this.accounts.size) throw firstAdminTaken();
    this.add({ ...a, role: 'admin' }, pk);
  }

  async createWithInvite(codeHash: string, now: number, a: Omit<AccountRecord, 'team' | 'role'>, pk: AccountPasskey) {
    const inv = this.invites.get(codeHash);
    if (!inv || inv.usedBy || inv.expiresAt < now) throw inviteInvalid();
    const account = { ...a, team: inv.team, role: inv.role };
    this.add(account, pk);
    inv.usedBy = a.id;
    return copy(account);
  }

  async inviteUsable(codeHash: string, now: number) {
    const inv = this.invites.get(codeHash);
    return !!inv && !inv.usedBy && inv.expiresAt >= now;
  }

  async getAccount(id: string) {
    const a = this.accounts.get(id);
    return a && copy(a);
  }

  async getPasskey(id: string) {
    const p = this.passkeys.get(id);
    return p && copy(p);
  }

  async passkeyIdsOf(name: string) {
    const a = [...this.accounts.values()].find((x) => x.name === name);
    return a ? [...this.passkeys.values()].filter((p) => p.accountId === a.id).map((p) => p.id) : [];
  }

  async recordPasskeyUse(id: string, counter: number) {
    const p = this.passkeys.get(id);
    if (!p) return 'unknown' as const;
    if (!counterAccepted(p.counter, counter)) return 'regressed' as const;
    p.counter = counter;
    return 'ok' as const;
  }

  async createSession(tokenHash: string, accountId: string, expiresAt: number) {
    this.sessions.set(tokenHash, { accountId, expiresAt });
  }

  async sessionAccount(tokenHash: string, now: number) {
    const s = this.sessions.get(tokenHash);
    if (!s || s.expiresAt < now) return undefined;
    return this.getAccount(s.accountId);
  }

  async deleteSession(tokenHash: string) {
    this.sessions.delete(tokenHash);
  }

  async createInvite(i: InviteRecord) {
    this.invites.set(i.codeHash, copy(i));
  }

  async listAccounts() {
    return [...this.accounts.values()].sort((a, b) => a.name.localeCompare(b.name)).map(copy);
  }

  async removeAccount(name: string) {
    const a = [...this.accounts.values()].find((x) => x.name === name);
    if (!a) return false;
    this.accounts.delete(a.id);
    for (const [k, p] of this.passkeys) if (p.accountId === a.id) this.passkeys.delete(k);
    for (const [k, v] of this.sessions) if (v.accountId === a.id) this.sessions.delete(k);
    return true;
  }

  async sweep(now: number) {
    for (const [k, v] of this.sessions) if (v.expiresAt < now) this.sessions.delete(k);
    for (const [k, v] of this.invites) if (!v.usedBy && v.expiresAt < now) this.invites.delete(k);
  }

  async recordDeletion(d: DeletionRecord) {
    this.deletions.push(copy(d));
  }

  async listDeletions(team?: string) {
    return [...this.deletions].reverse().filter((d) => team === undefined || d.team === team).sort((a, b) => b.at - a.at).slice(0, 500).map(copy);
  }
}
