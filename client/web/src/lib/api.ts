/**
 * The JSON HTTP API under /api, with the browser session.
 *
 * The session lives in the HttpOnly `tandem_session` cookie the server sets at sign-in; every
 * write echoes the readable `tandem_csrf` cookie in `X-CSRF-Token` (double submit). Errors carry
 * the server's own words (`detail`), so forms can show them as they are.
 */

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: unknown = null) {
    super(message)
  }

  /** The endpoint is not there (yet): another engineer's API that has not landed, or an old server. */
  get missing(): boolean {
    return this.status === 404 || this.status === 405 || this.status === 501
  }
}

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)tandem_csrf=([^;]*)/)
  return match ? decodeURIComponent(match[1]) : ''
}

function describe(status: number, body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>
    const detail = b.detail ?? b.message ?? b.error
    if (typeof detail === 'string' && detail) return detail
    if (Array.isArray(b.extra) && b.extra.length) return JSON.stringify(b.extra[0])
  }
  if (status === 0) return 'The server could not be reached. Check your connection.'
  return fallback
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export async function api<T>(method: Method, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken()
  let payload: BodyInit | undefined
  if (body instanceof FormData || body instanceof Blob || typeof body === 'string') {
    payload = body
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let response: Response
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', ...init })
  } catch {
    throw new ApiError(0, describe(0, null, ''))
  }
  const text = await response.text()
  let parsed: unknown = null
  if (text) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = text
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, describe(response.status, parsed, `${method} ${path} failed (${response.status})`), parsed)
  }
  return parsed as T
}

export const get = <T>(path: string) => api<T>('GET', path)
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {})
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body)
export const del = <T>(path: string) => api<T>('DELETE', path)

/** `GET` that answers `fallback` while an endpoint does not exist yet, and rethrows anything else. */
export async function getOr<T>(path: string, fallback: T): Promise<T | typeof fallback> {
  try {
    return await get<T>(path)
  } catch (error) {
    if (error instanceof ApiError && error.missing) return fallback
    throw error
  }
}

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
