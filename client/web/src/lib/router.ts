/**
 * A small history router: the path is a signal; `<a href>` clicks inside the app navigate
 * without reloading. The server answers every non-API path with index.html (SPA fallback).
 */
import { signal } from '@preact/signals'

export const path = signal(location.pathname)
export const search = signal(location.search)

export function navigate(to: string, { replace = false } = {}): void {
  const url = new URL(to, location.origin)
  if (url.pathname + url.search === location.pathname + location.search) return
  history[replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search)
  path.value = url.pathname
  search.value = url.search
}

window.addEventListener('popstate', () => {
  path.value = location.pathname
  search.value = location.search
})

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const anchor = (event.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null
  if (!anchor || anchor.target || anchor.origin !== location.origin || anchor.hasAttribute('download')) return
  if (/^\/(api|sync|schema|health|metrics)(\/|$)/.test(anchor.pathname)) return
  event.preventDefault()
  navigate(anchor.pathname + anchor.search)
})

/** `match('/w/:ws/boards/:board', '/w/1/boards/2')` → `{ws: '1', board: '2'}`, or null. A trailing `*` matches the rest. */
export function match(pattern: string, value: string = path.value): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const got = value.split('/').filter(Boolean)
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*') return params
    if (i >= got.length) return null
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i])
    else if (want[i] !== got[i]) return null
  }
  return got.length === want.length ? params : null
}

export function queryParam(name: string): string {
  return new URLSearchParams(search.value).get(name) ?? ''
}
