/**
 * The person at the software key: how soon they touch it after it starts to blink. A person
 * never touches in the same instant the key asks, and the CTAP checks rely on that (a
 * CTAPHID_CANCEL sent on the first KEEPALIVE UP_NEEDED must find the key still waiting), so the
 * emulated person of check --emulate and softkey touches after a short reaction time.
 */
export const REACTION_MS = 10;

export function personTouchingAfter(ms: number): (signal: AbortSignal) => Promise<void> {
  return (signal) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(t), { once: true });
  });
}
