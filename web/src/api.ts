// The fetch wrapper: same-origin JSON, cookie session, X-CSRF-Token on every write.
export interface Organisation {
  id: number;
  name: string;
}

export interface User {
  id: number;
  username: string;
  display_name: string;
  role: string;
  organisation?: Organisation | null;
}

export interface Session {
  user: User;
  csrf_token: string;
}

export interface DashboardCard {
  id: string;
  title_key: string;
  value: number | string | null;
}

export interface Reminder {
  case_id: number;
  reference: string;
  procedure_id: number;
  kind: string;
  status: string;
  due_date: string;
  overdue: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }

  if (response.status === 204) return undefined as T;
  let data: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = (data as { error?: { code?: string; message?: string; field?: string } } | null)
      ?.error;
    throw new ApiError(
      response.status,
      err?.code ?? `http_${response.status}`,
      err?.message ?? response.statusText,
      err?.field,
    );
  }
  return data as T;
}

export const api = {
  login: (username: string, password: string) =>
    request<Session>('POST', '/api/v1/auth/login', { username, password }),
  session: () => request<Session>('GET', '/api/v1/auth/session'),
  logout: () => request<void>('POST', '/api/v1/auth/logout'),
  dashboard: () => request<{ cards: DashboardCard[] }>('GET', '/api/v1/dashboard'),
  reminders: (days = 14) => request<{ reminders: Reminder[] }>('GET', `/api/v1/reminders?days=${days}`),
};
