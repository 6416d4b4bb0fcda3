/**
 * fido2-harness/server: the relying-party server as a library, for a suite that wants to run
 * real ceremonies against its own instance (`buildApp` for app.inject, `startServer` to listen).
 */
export { buildApp, CSP, type AppDeps } from './app.ts';
export { startServer, clientDist } from './server.ts';
export { loadConfig, CONFIG_HELP, type Config } from './config.ts';
export { serve, SERVE_HELP } from './cli.ts';
export { openSqliteStores, SQLITE_SCHEMA_VERSION } from './storage/SqliteStores.ts';
export { openMemoryStores } from './storage/MemoryStores.ts';
export { StoreConflict, type CredentialStore, type CredentialRecord, type UserRecord, type RegistrationEvidence, type CounterRegression } from './storage/CredentialStore.ts';
export type { RunStore, StoredRun, Stores } from './storage/RunStore.ts';
export type * from './schemas/api.ts';
