/** The friendly name the bioEnrollment probe gives its finger (run/ctap/probes/probeBio.ts PROBE_FINGER_NAME). */
export const PROBE_FINGER_NAME_TEXT = 'fido2-harness probe finger';
