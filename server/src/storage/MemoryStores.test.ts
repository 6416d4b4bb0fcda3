import { openMemoryStores } from './MemoryStores.ts';
import { storeContract } from './storeContract.ts';

storeContract('in-memory', async () => ({ stores: openMemoryStores() }));
