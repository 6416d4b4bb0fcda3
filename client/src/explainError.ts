/**
 * Browser WebAuthn errors in plain words, with the next step (WebAuthn L3 §5.1.3, §5.1.4
 * name the DOMExceptions; the causes below are the ones seen in practice).
 */
export function explainBrowserError(e: unknown, ceremony: 'register' | 'sign in'): string {
  const err = e as { name?: string; message?: string; code?: string; cause?: { name?: string } };
  const name = err.cause?.name ?? err.name ?? 'Error';
  const detail = err.message ? `\n(${name}: ${err.message})` : `\n(${name})`;
  switch (name) {
    case 'NotAllowedError':
      return (ceremony === 'register'
        ? 'The browser cancelled registration: it timed out, you closed the prompt, or the key was not touched. Press Register again and touch the key when it blinks.'
        : 'The browser cancelled sign-in: it timed out, you closed the prompt, or this key holds no credential for this account. Touch the key when it blinks, or register it first.') + detail;
    case 'InvalidStateError':
      return 'This key already holds a credential for this account (it matched excludeCredentials). Delete that credential below, untick "exclude existing credentials", or use another key.' + detail;
    case 'NotSupportedError':
      return 'The key or browser supports none of the requested algorithms or options. Tick more algorithms, or relax residentKey / userVerification.' + detail;
    case 'ConstraintError':
      return 'The key cannot meet a "required" option (resident key or user verification). Set a PIN on the key, or choose "preferred".' + detail;
    case 'SecurityError':
      return `The browser refused the RP ID for this page's origin. Open the page at the address the server printed (RP ID must be this host or a parent domain, over https except on localhost).${detail}`;
    case 'AbortError':
      return `The ceremony was aborted (the harness timer ran out or another ceremony started). Press the button again.${detail}`;
    default:
      return `The browser reported an error while trying to ${ceremony}.${detail}`;
  }
}
