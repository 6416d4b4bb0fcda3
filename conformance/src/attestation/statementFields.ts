import type { CborValue } from '../cbor/decodeCbor.ts';
import type { Finding } from '../findings/Finding.ts';
import { parseCertificate, type ParsedCertificate } from '../pki/parseCertificate.ts';
import { HarnessError } from '../errors/HarnessError.ts';

/**
 * Reading attStmt members: a missing or mistyped member is a failing finding (the
 * authenticator's defect), and verification continues with what is there.
 */
export class StatementFields {
  readonly findings: Finding[] = [];
  private readonly stmt: Map<number | string, CborValue>;
  private readonly fmt: string;
  private readonly spec: string;

  constructor(stmt: Map<number | string, CborValue>, fmt: string, spec: string) {
    this.stmt = stmt;
    this.fmt = fmt;
    this.spec = spec;
  }

  private missing(key: string, want: string, got: CborValue | undefined): undefined {
    this.findings.push({
      code: 'ATT_STMT_SYNTAX',
      status: 'fail',
      spec: this.spec,
      message: `${this.fmt} attStmt.${key} must be ${want}`,
      expected: want,
      actual: got === undefined ? 'absent' : got instanceof Uint8Array ? 'bytes' : Array.isArray(got) ? 'array' : typeof got,
    });
    return undefined;
  }

  int(key: string): number | undefined {
    const v = this.stmt.get(key);
    return typeof v === 'number' && Number.isInteger(v) ? v : this.missing(key, 'an integer', v);
  }

  bytes(key: string): Uint8Array | undefined {
    const v = this.stmt.get(key);
    return v instanceof Uint8Array ? v : this.missing(key, 'a byte string', v);
  }

  text(key: string): string | undefined {
    const v = this.stmt.get(key);
    return typeof v === 'string' ? v : this.missing(key, 'a text string', v);
  }

  has(key: string) {
    return this.stmt.has(key);
  }

  /** x5c: a non-empty array of DER certificates, parsed; unparseable entries are findings */
  certs(key = 'x5c'): ParsedCertificate[] | undefined {
    const v = this.stmt.get(key);
    if (!Array.isArray(v) || v.length === 0 || !v.every((c) => c instanceof Uint8Array)) return this.missing(key, 'a non-empty array of DER certificates', v);
    const out: ParsedCertificate[] = [];
    for (const [i, der] of (v as Uint8Array[]).entries()) {
      try {
        out.push(parseCertificate(der, `${key}[${i}]`));
      } catch (e) {
        if (!(e instanceof HarnessError)) throw e;
        this.findings.push({ code: 'CERT_PARSE', status: 'fail', spec: 'RFC 5280 §4.1', message: e.message });
        return undefined;
      }
    }
    return out;
  }
}
