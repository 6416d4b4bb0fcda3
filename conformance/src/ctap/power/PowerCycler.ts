/**
 * A power cycle as a capability (CTAP 2.1 §6.5.2.1 ties PIN blocking, token lifetime and the
 * reset window to power-up): the software key and simulators take one on request, a person
 * unplugs and replugs a USB key, a vendor's rig is driven through a hook. Drivers call the one
 * `CtapDevice.powerCycle()`; this is what it does underneath.
 */
export interface PowerCycler {
  /** how the key is power-cycled: for reports ("the key was power-cycled 3 times by the simulator") */
  readonly how: 'in-process' | 'simulator' | 'person' | 'hook' | 'reader';
  /**
   * Powers the key off and on and resolves when it is back, ready to be opened again. `prompt`
   * receives what a person must do, when a person must do it.
   */
  cycle(o?: CycleOptions): Promise<void>;
}

export interface CycleOptions {
  /** told what a person must do (replug the key), when a person must do something */
  prompt?: (message: string) => void;
  /** how long the key may take to come back */
  timeoutMs?: number;
}

/** Waits until a key that lost power answers again (the transport's own way of seeing it back). */
export type AwaitBack = (o: CycleOptions) => Promise<void>;

/** What each way of power-cycling calls itself in a report. */
export const POWER_CYCLE_HOW: Record<PowerCycler['how'], string> = {
  'in-process': 'by the in-process software key',
  simulator: "by the simulator's reboot datagram",
  person: 'by the person replugging the key',
  hook: 'by the --power-cycle-hook',
  reader: 'by the NFC reader switching its field off and on',
};
