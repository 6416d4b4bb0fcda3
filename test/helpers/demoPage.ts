import type { Page, Response } from 'playwright-core';

/** Drives the demo page the way a person does: fill the form, press the button, read the status. */
export interface CeremonyResult {
  kind: 'ok' | 'error';
  status: string;
  /** the server's JSON answer to the verify call, when one was made */
  verify?: { status: number; body: any };
}

export async function setRegistrationForm(page: Page, o: {
  username?: string;
  attestation?: string;
  residentKey?: string;
  userVerification?: string;
  algorithms?: number[];
  credProps?: boolean;
  prf?: boolean;
  hmacCreateSecret?: boolean;
  minPinLength?: boolean;
  credProtect?: string;
  credProtectEnforce?: boolean;
  largeBlob?: string;
  credBlob?: string;
  excludeCredentials?: boolean;
}) {
  if (o.username !== undefined) await page.fill('#username', o.username);
  if (o.attestation) await page.selectOption('#attestation', o.attestation);
  if (o.residentKey) await page.selectOption('#residentKey', o.residentKey);
  if (o.userVerification) await page.selectOption('#regUserVerification', o.userVerification);
  if (o.algorithms) {
    for (const cb of await page.$$('#algorithms input')) {
      const v = Number(await cb.getAttribute('value'));
      await cb.setChecked(o.algorithms.includes(v));
    }
  }
  const tick = async (id: string, v: boolean | undefined) => v !== undefined && (await page.setChecked(id, v));
  await tick('#ext-credProps', o.credProps);
  await tick('#ext-prf', o.prf);
  await tick('#ext-hmacCreateSecret', o.hmacCreateSecret);
  await tick('#ext-minPinLength', o.minPinLength);
  await tick('#ext-credProtectEnforce', o.credProtectEnforce);
  await tick('#excludeCredentials', o.excludeCredentials);
  if (o.credProtect !== undefined) await page.selectOption('#ext-credProtect', o.credProtect);
  if (o.largeBlob !== undefined) await page.selectOption('#ext-largeBlob', o.largeBlob);
  if (o.credBlob !== undefined) await page.fill('#ext-credBlob', o.credBlob);
}

export async function setSignInForm(page: Page, o: { userVerification?: string; prf?: string; largeBlob?: '' | 'read' | 'write'; largeBlobWrite?: string; getCredBlob?: boolean }) {
  if (o.userVerification) await page.selectOption('#authUserVerification', o.userVerification);
  if (o.prf !== undefined) await page.fill('#auth-prf', o.prf);
  if (o.largeBlob !== undefined) await page.selectOption('#auth-largeBlob', o.largeBlob);
  if (o.largeBlobWrite !== undefined) await page.fill('#auth-largeBlobWrite', o.largeBlobWrite);
  if (o.getCredBlob !== undefined) await page.setChecked('#auth-getCredBlob', o.getCredBlob);
}

/** Press a button and wait for the page to settle on ok or error. */
export async function press(page: Page, button: '#register' | '#signin' | '#signin-discoverable'): Promise<CeremonyResult> {
  let verify: Response | undefined;
  const onResponse = (r: Response) => {
    if (r.url().endsWith('/verify')) verify = r;
  };
  page.on('response', onResponse);
  await page.evaluate(() => document.getElementById('status')!.setAttribute('data-kind', 'pending'));
  await page.click(button);
  await page.waitForSelector('#status[data-kind=ok], #status[data-kind=error]', { timeout: 20_000 });
  page.off('response', onResponse);
  const kind = (await page.getAttribute('#status', 'data-kind')) as 'ok' | 'error';
  const status = (await page.textContent('#status')) ?? '';
  return { kind, status, verify: verify ? { status: verify.status(), body: await verify.json() } : undefined };
}

/**
 * Line breaks inside the codes matched by `selector` that do not fall right after an
 * underscore (a check ID broken mid-word), measured from the rendered glyph positions.
 */
export async function midWordBreaks(page: Page, selector: string): Promise<{ codes: number; bad: string[] }> {
  return page.evaluate((sel) => {
    const bad: string[] = [];
    const codes = document.querySelectorAll(sel);
    for (const code of codes) {
      const chars: { ch: string; top: number }[] = [];
      const walk = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        for (let i = 0; i < node.textContent!.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          chars.push({ ch: node.textContent![i]!, top: range.getBoundingClientRect().top });
        }
      }
      for (let i = 1; i < chars.length; i++) if (chars[i]!.top > chars[i - 1]!.top + 2 && chars[i - 1]!.ch !== '_') bad.push(`${code.textContent} before character ${i}`);
    }
    return { codes: codes.length, bad };
  }, selector);
}
