/**
 * The person at the software key: how soon they touch it after it starts to blink. A person
 * never touches in the same instant the key asks, and the CTAP checks rely on that (a
 * CTAPHID_CANCEL sent on the first KEEPALIVE UP_NEEDED must find the key still waiting), so the
 * emulated person of check --emulate and softkey touches after a short reaction time.
 */
export const REACTION_MS = 10;

/**
 * Event-loop turns the person lets pass after the reaction time before the touch lands. On a
 * loaded machine the process may stall past REACTION_MS while a CANCEL is already on its way
 * (or waiting in the socket): timers run before I/O in a loop turn, so without these turns the
 * touch would overtake a CANCEL that a real person's reaction time (hundreds of ms) never would.
 */
const IO_TURNS = 4;

export function personTouchingAfter(ms: number): (signal: AbortSignal) => Promise<void> {
  return (signal) => new Promise<void>((resolve) => {
    let turns = 0;
    const turn = () => {
      if (signal.aborted) return;
      if (++turns >= IO_TURNS) resolve();
      else setImmediate(turn);
    };
    const t = setTimeout(turn, ms);
    signal.addEventListener('abort', () => clearTimeout(t), { once: true });
  });
}
