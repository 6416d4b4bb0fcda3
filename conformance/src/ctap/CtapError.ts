import { HarnessError } from '../errors/HarnessError.ts';
import { statusName } from './status.ts';

/**
 * A device answered a command with a status other than success. It is the device's answer,
 * reported as such (a check may expect it); `status` is the CTAP status byte.
 */
export class CtapError extends HarnessError {
  readonly ctapStatus: number;
  readonly command: string;
  constructor(command: string, status: number, detail = '') {
    super('CTAP_STATUS', `${command} answered ${statusName(status)}${detail ? `: ${detail}` : ''}`, { status: 424 });
    this.name = 'CtapError';
    this.ctapStatus = status;
    this.command = command;
  }
}

/**
 * The device could not be reached, went quiet, or answered something that is not CTAP: a
 * clear message naming the command and what was wrong, never a hang.
 */
export function deviceError(code: 'DEVICE_TIMEOUT' | 'DEVICE_PROTOCOL' | 'DEVICE_UNREACHABLE' | 'DEVICE_NOT_FOUND', message: string, cause?: unknown): HarnessError {
  // 424 Failed Dependency: the key (outside data) failed, not this server
  return new HarnessError(code, message, { status: 424, cause });
}
