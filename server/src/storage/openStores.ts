import type { Config } from '../config.ts';
import type { Stores } from './RunStore.ts';
import { openSqliteStores } from './SqliteStores.ts';
import { openMemoryStores } from './MemoryStores.ts';
import { openPostgresStores } from './PostgresStores.ts';

/** The stores the configuration names: the embedded SQLite file (default), memory, or PostgreSQL. */
export async function openStores(store: Config['store']): Promise<Stores> {
  if (store.kind === 'postgres') return openPostgresStores(store.url);
  if (store.kind === 'memory') return { ...openMemoryStores(), describe: 'memory (lost at exit)' };
  const s = openSqliteStores(store.file);
  return Object.assign(s, { describe: `SQLite ${store.file}` });
}
