/**
 * A power cycle as a capability (CTAP 2.1 §6.5.2.1 ties PIN blocking, token lifetime and the
 * reset window to power-up): the software key and simulators take one on request, a person
 * unplugs and replugs a USB key, a vendor's rig is driven through a hook. Drivers call the one
 * `CtapDevice.powerCycle()`; this is what it does underneath.
 */
export interface PowerCycler {
  /** how the key is power-cycled: for reports ("the key was power-cycled 3 times by the simulator") */
  readonly how: 'in-process' | 'simulator' | 'person' | 'hook';
  /**
   * Powers the key off and on and resolves when it is back, ready to be opened again. `prompt`
   * receives what a person must do, when a person must do it.
   */
  cycle(o?: { prompt?: (message: string) => void; timeoutMs?: number }): Promise<void>;
}
