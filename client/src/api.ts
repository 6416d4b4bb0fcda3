/** The RP server's JSON API as the page uses it. Errors come back in one envelope. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    const e = (body.error ?? {}) as { code?: string; message?: string };
    super(e.message ?? `HTTP ${status}`);
    this.code = e.code ?? `HTTP_${status}`;
    this.status = status;
    this.body = body;
  }
}

export async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  // every POST carries a JSON body, {} when there is nothing to say: the server refuses state changes without one (CSRF)
  const sent = body === undefined && method !== 'GET' && method !== 'DELETE' ? {} : body;
  const res = await fetch(path, {
    method,
    headers: sent === undefined ? {} : { 'content-type': 'application/json' },
    body: sent === undefined ? undefined : JSON.stringify(sent),
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(res.status, { error: { code: 'BAD_SERVER_RESPONSE', message: `server answered ${res.status} with non-JSON` } });
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json as T;
}
