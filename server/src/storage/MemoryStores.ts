import { StoreConflict, type CounterRegression, type CredentialRecord, type CredentialStore, type RegistrationEvidence, type UserRecord } from './CredentialStore.ts';
import type { RunStore, StoredRun, Stores } from './RunStore.ts';
import { counterAccepted } from './counterRule.ts';

/**
 * Stores in this process's memory: for tests and throw-away servers (`--store memory`).
 * Everything is copied in and out, so callers never share objects with the store.
 */
export function openMemoryStores(): Stores {
  const credentials = new MemoryCredentialStore();
  const runs = new MemoryRunStore();
  return { credentials, runs, close: async () => {} };
}

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryCredentialStore implements CredentialStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly creds = new Map<string, CredentialRecord & RegistrationEvidence>();
  private readonly regressions: CounterRegression[] = [];

  private present(c: CredentialRecord & RegistrationEvidence): CredentialRecord {
    const { attestationObject: _a, clientDataJSON: _c, ...rest } = c;
    return { ...copy(rest), username: this.users.get(c.userId)?.username };
  }

  async getUserByName(username: string) {
    const u = [...this.users.values()].find((x) => x.username === username);
    return u && copy(u);
  }

  async getUserById(id: string) {
    const u = this.users.get(id);
    return u && copy(u);
  }

  async addCredential(user: UserRecord, cred: CredentialRecord & RegistrationEvidence) {
    // check and write in one synchronous step: no other call can run in between
    const owner = [...this.users.values()].find((x) => x.username === user.username);
    if (owner && owner.id !== user.id) throw new StoreConflict('USERNAME_TAKEN', `the username "${user.username}" was registered by another session meanwhile, with another user handle`);
    if (this.creds.has(cred.id)) throw new StoreConflict('CREDENTIAL_EXISTS', 'this credential ID is already registered');
    if (!this.users.has(user.id)) this.users.set(user.id, copy(user));
    const { username: _u, ...record } = cred;
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
    this.runs.set(run.id, copy(run));
  }

  async getRun(id: string) {
    const r = this.runs.get(id);
    return r && copy(r);
  }

  async listRuns(aaguid?: string) {
    return [...this.runs.values()]
      .filter((r) => aaguid === undefined || r.aaguid === aaguid)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id))
      .slice(0, 500)
      .map(copy);
  }

  async close() {}
}
