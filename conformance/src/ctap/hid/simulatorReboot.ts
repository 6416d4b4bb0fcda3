/**
 * The simulators' power-cycle datagram: 64 fixed bytes that a firmware simulator on UDP takes as
 * "restart now" (the convention of the fido2-tests suite's `--sim` mode, `send_magic_reboot`, which
 * the SoloKeys PC simulator answers; `fido2-harness softkey --udp` answers it too). Read as a
 * CTAPHID packet its channel is not one a key hands out, so no host traffic is mistaken for it.
 */
export const SIMULATOR_REBOOT_DATAGRAM = Uint8Array.from(Buffer.from(
  'ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc',
  'hex',
));

export const isSimulatorReboot = (report: Uint8Array): boolean => report.length === 64 && Buffer.from(report).equals(Buffer.from(SIMULATOR_REBOOT_DATAGRAM));
