import crypto from 'node:crypto';

/**
 * F: raw ECDSA P-256 signature verifications per second with node:crypto on one core, with
 * a cached KeyObject. Every bench figure is a ratio to F measured in the same run, so the
 * numbers mean the same on a slow laptop and a fast CI box.
 */
export function measureF(ms = 1000): number {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = crypto.randomBytes(200);
  const sig = crypto.sign('sha256', data, privateKey);
  return opsPerSecond(() => crypto.verify('sha256', data, publicKey, sig), ms);
}

/** Runs fn in batches until `ms` have passed; returns calls per second. */
export function opsPerSecond(fn: () => unknown, ms = 1000): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

export async function opsPerSecondAsync(fn: () => Promise<unknown>, ms = 1000): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
  }
  return n / ((performance.now() - start) / 1000);
}
