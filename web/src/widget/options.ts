/**
 * The embed's options as the widget receives them: query parameters of the iframe's URL, set by
 * embed.js from the script tag's `data-*` attributes. Everything is validated here, since any
 * page can open `/widget?...`: the colour must be a hex colour, the greeting is plain text
 * (shown as text, cut at 200 characters).
 */
import { pickLocale, type WidgetLocale } from './messages'

export interface WidgetOptions {
  locale: WidgetLocale
  greeting: string | null
  color: string | null
  siteKey: string | null // the tenant's public site key: sent when a chat is opened
}

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i

export function readOptions(search: string, browserLanguages: readonly string[]): WidgetOptions {
  const params = new URLSearchParams(search)
  const color = params.get('color')
  const greeting = params.get('greeting')?.trim().slice(0, 200) || null
  return {
    locale: pickLocale(params.get('lang'), ...browserLanguages),
    greeting,
    color: color && HEX.test(color) ? color : null,
    siteKey: params.get('site_key')?.trim().slice(0, 64) || null
  }
}
