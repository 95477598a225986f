/**
 * zh-TW by default (the stores' language), zh-CN and en selectable; the choice is kept in
 * localStorage. Each feature folder keeps its own messages.ts and they are merged
 * here, so pages can be added without touching one big file.
 */
import { createI18n } from 'vue-i18n'
import common from './common'
import renewal from '@/renewal/messages'
import stats from '@/stats/messages'
import workbench from '@/workbench/messages'
import tickets from '@/tickets/messages'
import admin from '@/admin/messages'

export const LOCALES = ['zh-TW', 'zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
type Tree = { [key: string]: string | Tree }
type Bundle = Record<Locale, Tree>

const LOCALE_KEY = 'switchboard.locale'

function merge(...bundles: Bundle[]): Bundle {
  const out = { 'zh-TW': {}, 'zh-CN': {}, en: {} } as Bundle
  for (const bundle of bundles) for (const locale of LOCALES) Object.assign(out[locale], bundle[locale])
  return out
}

export function initialLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_KEY)
  return (LOCALES as readonly string[]).includes(saved ?? '') ? (saved as Locale) : 'zh-TW'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-TW',
  messages: merge(common, renewal, stats, workbench, tickets, admin)
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(LOCALE_KEY, locale)
  document.documentElement.lang = locale
}
