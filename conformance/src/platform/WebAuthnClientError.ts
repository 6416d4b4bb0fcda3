import { CTAP_STATUS, statusName } from '../ctap/status.ts';

export type DomErrorName = 'NotAllowedError' | 'InvalidStateError' | 'NotSupportedError' | 'ConstraintError' | 'SecurityError' | 'AbortError' | 'UnknownError';

/**
 * A ceremony the client could not complete, named as a browser names it (WebAuthn L3 §5.1.3,
 * §5.1.4: the DOMException), with the CTAP status behind it when there was one. Drivers record
 * `domName`; nobody parses the message.
 */
export class WebAuthnClientError extends Error {
  readonly domName: DomErrorName;
  readonly ctapStatus?: number;
  constructor(domName: DomErrorName, message: string, o: { ctapStatus?: number; cause?: unknown } = {}) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'WebAuthnClientError';
    this.domName = domName;
    this.ctapStatus = o.ctapStatus;
  }
}

const S = CTAP_STATUS;

/** How a browser surfaces a CTAP status (Chromium's mapping, in substance). */
export function domNameForStatus(status: number): DomErrorName {
  switch (status) {
    case S.CTAP2_ERR_CREDENTIAL_EXCLUDED:
      return 'InvalidStateError';
    case S.CTAP2_ERR_UNSUPPORTED_ALGORITHM:
    case S.CTAP2_ERR_UNSUPPORTED_OPTION:
      return 'NotSupportedError';
    case S.CTAP2_ERR_INVALID_CBOR:
    case S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE:
    case S.CTAP1_ERR_INVALID_PARAMETER:
    case S.CTAP2_ERR_MISSING_PARAMETER:
      return 'UnknownError';
    default:
      return 'NotAllowedError';
  }
}

export function fromCtapStatus(what: string, status: number, extra = ''): WebAuthnClientError {
  return new WebAuthnClientError(domNameForStatus(status), `${what}: the authenticator answered ${statusName(status)}${extra}`, { ctapStatus: status });
}
