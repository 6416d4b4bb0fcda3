import { describe, expect, it } from 'vitest';
import { closestFlag, parseCommandArgs } from './args.ts';
import { HarnessError } from '../errors/HarnessError.ts';

const SPEC = { out: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' }, roots: { type: 'string', multiple: true } } as const;
const parse = (argv: string[]) => parseCommandArgs(argv, SPEC, 'usage: test');
const refusal = (argv: string[]) => {
  try {
    parse(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessError);
    expect((e as HarnessError).code).toBe('BAD_USAGE');
    return (e as Error).message;
  }
  return 'accepted';
};

describe('command arguments (node:util parseArgs, strict)', () => {
  it('--flag value and --flag=value mean the same; repeatable flags collect; positionals stay in order', () => {
    expect(parse(['a.json', '--out', 'x.json', '--format=md', '--json', '--roots', 'r1.pem', '--roots=r2.pem', 'b.json'])).toEqual({
      values: { out: 'x.json', format: 'md', json: true, roots: ['r1.pem', 'r2.pem'] },
      positionals: ['a.json', 'b.json'],
    });
    expect(parse(['-'])).toEqual({ values: {}, positionals: ['-'] });
  });

  it('an unknown flag is refused, naming the closest known one', () => {
    expect(refusal(['--fromat', 'md'])).toMatch(/^unknown option --fromat; did you mean --format\?/);
    expect(refusal(['--jsn'])).toMatch(/did you mean --json\?/);
    expect(refusal(['--completely-different'])).toMatch(/^unknown option --completely-different\nusage: test/);
  });

  it('a flag never takes the next flag as its value', () => {
    expect(refusal(['--out', '--json'])).toMatch(/--out needs a value/);
    expect(refusal(['--out'])).toMatch(/--out needs a value/);
    expect(refusal(['--json=yes'])).toMatch(/--json takes no value/);
    // a value that really starts with "-" is given with "="
    expect(parse(['--out=-'])).toEqual({ values: { out: '-' }, positionals: [] });
  });

  it('closestFlag: typos and unique prefixes, nothing for unrelated words', () => {
    expect(closestFlag('--emualte', ['emulate', 'virtual'])).toBe('--emulate');
    expect(closestFlag('--virt', ['emulate', 'virtual'])).toBe('--virtual');
    expect(closestFlag('--zzz', ['emulate', 'virtual'])).toBeUndefined();
  });
});
