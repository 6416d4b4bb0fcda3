import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { closestWord } from '../encoding/closestWord.ts';
import { CHECK_AREAS, type CheckArea } from '../checks/checkIds.ts';
import { certificatesFromPem } from '../pki/TrustAnchors.ts';
import { readPasskeyProfiles, type PasskeyProfile } from '../mds/passkeyProfiles.ts';

/** One option of a command: a flag (boolean) or one that takes a value; repeatable when `multiple`. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'string' ? (S['multiple'] extends true ? string[] : string) : S['multiple'] extends true ? boolean[] : boolean;
export type ParsedOptions<T extends OptionSpecs> = { [K in keyof T]?: ValueOf<T[K]> } & { help?: boolean };

/** Levenshtein distance, for "did you mean". */
/** The known flag closest to an unknown one, when it is close enough to be a typo. */
export function closestFlag(unknown: string, known: readonly string[]): string | undefined {
  const w = closestWord(unknown.replace(/^-+/, '').split('=')[0]!, known);
  return w === undefined ? undefined : `--${w}`;
}

/**
 * A command's arguments through node:util parseArgs, strict: `--flag value` and `--flag=value`
 * alike; an unknown flag refused with the closest known one; a flag never takes the next flag
 * as its value ("--out --json" is refused, not read as out = "--json"). Errors are BAD_USAGE
 * and end with the command's usage.
 */
export function parseCommandArgs<T extends OptionSpecs>(argv: readonly string[], options: T, usage: string): { values: ParsedOptions<T>; positionals: string[] } {
  const specs = { ...options, help: { type: 'boolean', short: 'h' } } as OptionSpecs;
  try {
    const r = parseArgs({ args: [...argv], options: specs as never, strict: true, allowPositionals: true });
    return { values: r.values as ParsedOptions<T>, positionals: r.positionals };
  } catch (e) {
    const err = e as { code?: string; message: string };
    const known = Object.keys(specs);
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(err.message)?.[1] ?? '?';
      const near = closestFlag(flag, known);
      throw new HarnessError('BAD_USAGE', `unknown option ${flag}${near ? `; did you mean ${near}?` : ''}\n${usage}`);
    }
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = /'(-{1,2}[\w-]+)/.exec(err.message)?.[1] ?? 'an option';
      const spec = specs[flag.replace(/^-+/, '')];
      const why = spec?.type === 'boolean' ? `${flag} takes no value` : `${flag} needs a value (give it as ${flag} VALUE or ${flag}=VALUE; a value that starts with "-" only as ${flag}=VALUE)`;
      throw new HarnessError('BAD_USAGE', `${why}\n${usage}`);
    }
    throw new HarnessError('BAD_USAGE', `${err.message}\n${usage}`);
  }
}

/** --at and friends: an ISO 8601 time, or a usage error that shows the form. */
export function parseTime(v: string, flag = '--at'): Date {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new HarnessError('BAD_USAGE', `${flag} ${JSON.stringify(v)} is not a date (use ISO 8601, e.g. 2024-05-01T12:00:00Z)`);
  return d;
}

/** One of a fixed set of values, or a usage error listing them. */
export function oneOf<T extends string>(v: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new HarnessError('BAD_USAGE', `${flag} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, not ${JSON.stringify(v)}`);
  return v as T;
}

/** --areas: a comma-separated subset of the catalogue's areas, or a usage error listing them. */
export function parseAreas(v: string | undefined): CheckArea[] | undefined {
  if (v === undefined) return undefined;
  const areas = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = areas.filter((x) => !(CHECK_AREAS as readonly string[]).includes(x));
  if (bad.length || !areas.length) throw new HarnessError('BAD_USAGE', `${bad.length ? `unknown area ${bad.join(', ')}` : '--areas is empty'}; areas are ${CHECK_AREAS.join(', ')}`);
  return areas as CheckArea[];
}

/** `--shard i/n`: this machine's slice of the catalogue (1 <= i <= n <= 1000) */
export function parseShard(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || index < 1 || count < 1 || index > count || count > 1000) throw new HarnessError('BAD_USAGE', `--shard takes i/n with 1 <= i <= n <= 1000 (e.g. --shard 2/3 on the second of three machines), got ${JSON.stringify(v)}`);
  return { index, count };
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

/** A text file from outside, refused when it is not a file or larger than `max` bytes. */
export function readTextFile(file: string, what: string, max: number): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new HarnessError('BAD_INPUT', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!st.isFile()) throw new HarnessError('BAD_INPUT', `${what} ${file} is not a file`);
  if (st.size > max) throw new HarnessError('BAD_INPUT', `${what} ${file} is ${st.size} bytes; the limit is ${max}`);
  return fs.readFileSync(file, 'utf8');
}

/** --tenant-profile FILE: a tenant's Entra passkey profiles (Microsoft Graph JSON), read and checked; undefined without the flag. */
export function readTenantProfiles(file: string | undefined): { profiles: PasskeyProfile[]; source: string } | undefined {
  if (file === undefined) return undefined;
  return { profiles: readPasskeyProfiles(readTextFile(file, 'tenant profile', 1024 * 1024), file), source: path.basename(file) };
}
