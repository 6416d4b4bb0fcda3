import fs from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { certificatesFromPem } from '../pki/TrustAnchors.ts';

/** Walks a command's arguments; a flag's value is taken with `value(flag)`. */
export class ArgReader {
  private readonly argv: string[];
  private i = -1;

  constructor(argv: string[]) {
    this.argv = argv;
  }

  next(): string | undefined {
    return this.argv[++this.i];
  }

  value(flag: string): string {
    const v = this.argv[++this.i];
    if (v === undefined) throw new HarnessError('BAD_USAGE', `${flag} needs a value`);
    return v;
  }
}

/** --at and friends: an ISO 8601 time, or a usage error that shows the form. */
export function parseTime(v: string, flag = '--at'): Date {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new HarnessError('BAD_USAGE', `${flag} ${JSON.stringify(v)} is not a date (use ISO 8601, e.g. 2024-05-01T12:00:00Z)`);
  return d;
}

/** Every certificate in a PEM file; unreadable or certificate-less files are bad input. */
export function readPemCertificates(file: string): X509Certificate[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new HarnessError('BAD_INPUT', `cannot read PEM file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const certs = certificatesFromPem(text);
  if (!certs.length) throw new HarnessError('BAD_INPUT', `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return certs;
}
