/** The console's HTTP client: the platform's own API, with the operator's bearer token. */

/** An RFC 9457 problem as the API answers it (code and field when it names one). */
export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly code?: string;
  readonly type?: string;
  readonly field?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

const TOKEN_KEY = 'c360.console.token';

export const tokenStore = {
  get(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    return {
      ...body,
      status: res.status,
      title: typeof body.title === 'string' ? body.title : res.statusText || `HTTP ${res.status}`,
    };
  } catch {
    return {
      status: res.status,
      title: res.statusText || `HTTP ${res.status}`,
      detail: text.slice(0, 300),
    };
  }
}

/** Calls the API with the stored token; a non-2xx answer throws ApiError with its problem. */
export async function apiFetch<T>(
  path: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; token?: string } = {},
): Promise<T> {
  const token = init.token ?? tokenStore.get();
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (e) {
    throw new ApiError({
      status: 0,
      title: 'The platform is not reachable',
      detail: e instanceof Error ? e.message : String(e),
    });
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const qs = (params: Record<string, string | number | undefined | null>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};
