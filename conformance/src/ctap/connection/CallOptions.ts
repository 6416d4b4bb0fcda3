/**
 * How one call to the key may go: the options every transport honours (CTAPHID, NFC, in-process),
 * so the command layers above pass them through without knowing which one carries the bytes.
 */
export interface CallOptions {
  /** how long to wait for an answer when the device sends no keepalive (default 5 s) */
  timeoutMs?: number;
  /** how long a device may keep asking for a touch (keepalive UP_NEEDED) before the call gives up (default 30 s) */
  userPresenceTimeoutMs?: number;
  /**
   * keepalive status as it arrives (CTAPHID KEEPALIVE, or NFC's 0x9100 status byte): 1 (PROCESSING),
   * 2 (UP_NEEDED: "touch the key now")
   */
  onKeepalive?: (status: number) => void;
  /** CTAPHID: how long to keep asking while the key is busy with another client (CTAP1_ERR_CHANNEL_BUSY; default 10 s, 0: not at all) */
  busyRetryMs?: number;
  /** abort: the transport's cancel is sent and the device's answer (normally CTAP2_ERR_KEEPALIVE_CANCEL) is returned */
  signal?: AbortSignal;
}
