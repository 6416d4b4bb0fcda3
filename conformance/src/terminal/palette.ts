/** ANSI colours only when asked (a TTY); plain text otherwise, so logs and pipes stay clean. */
export function palette(colour: boolean) {
  const c = (code: string) => (s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: c('31'), green: c('32'), yellow: c('33'), dim: c('2'), bold: c('1') };
}

export type Palette = ReturnType<typeof palette>;

/** Whether to colour output written to `out`: a terminal, and NO_COLOR not set. */
export function wantsColour(out: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return !!out.isTTY && !env.NO_COLOR;
}
