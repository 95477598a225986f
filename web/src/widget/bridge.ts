/**
 * The widget's half of the embed's postMessage API (the other half is web/public/embed.js).
 *
 * Messages are `{source: 'switchboard-widget', type, ...}`. Host → widget: `open`, `close`.
 * Widget → host: `ready`, `unread {count}`, `close` (the customer pressed ×), `open` (the
 * widget wants to be shown, e.g. an agent wrote while it was closed — the host decides).
 *
 * Origin checks: the page may only be framed by allowed origins (the server's
 * `frame-ancestors`), so the framing page's origin is one we allow. The widget learns it from
 * `location.ancestorOrigins` (Chromium, Safari) or the `host` query parameter embed.js adds, posts
 * only to that exact origin (never `*`), and accepts only messages from `window.parent` with
 * that origin.
 */
export const SOURCE = 'switchboard-widget'
export type HostCommand = 'open' | 'close'

export interface BridgeMessage {
  source: typeof SOURCE
  type: string
  count?: number
}

export function isBridgeMessage(value: unknown): value is BridgeMessage {
  return typeof value === 'object' && value !== null && (value as { source?: unknown }).source === SOURCE && typeof (value as { type?: unknown }).type === 'string'
}

/** The framing page's origin, or null when the widget is not framed (opened as a page). */
export function hostOrigin(win: Window = window): string | null {
  if (win.parent === win) return null
  const ancestors = win.location.ancestorOrigins
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? null
  const claimed = new URLSearchParams(win.location.search).get('host')
  try {
    return claimed ? new URL(claimed).origin : null
  } catch {
    return null
  }
}

export interface Bridge {
  embedded: boolean
  post(type: string, extra?: Record<string, unknown>): void
  stop(): void
}

export function connectBridge(onCommand: (command: HostCommand) => void, win: Window = window): Bridge {
  const origin = hostOrigin(win)
  if (!origin) return { embedded: false, post() {}, stop() {} }
  const listener = (event: MessageEvent): void => {
    if (event.source !== win.parent || event.origin !== origin || !isBridgeMessage(event.data)) return
    if (event.data.type === 'open' || event.data.type === 'close') onCommand(event.data.type)
  }
  win.addEventListener('message', listener)
  return {
    embedded: true,
    post(type, extra = {}) {
      win.parent.postMessage({ source: SOURCE, type, ...extra }, origin)
    },
    stop() {
      win.removeEventListener('message', listener)
    }
  }
}
