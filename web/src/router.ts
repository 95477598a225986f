/**
 * Pages and who may open them. Every page but login needs a session; an ended session
 * (expired, revoked) returns to login with `next`, and login returns there.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { onSessionEnded } from '@/api/client'
import { restore, user, type Role } from '@/auth/session'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    home?: boolean
    roles?: Role[]
  }
}

/** Where a role starts: agents at the workbench, store staff (and admins) at the renewal. */
export function homeOf(role: string): string {
  return role === 'agent' ? '/agent' : '/renewal'
}

const STORE: Role[] = ['sales', 'manager', 'admin']
const MANAGERS: Role[] = ['manager', 'admin']
const AGENTS: Role[] = ['agent', 'admin']
const ADMINS: Role[] = ['admin']

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true } },
  { path: '/', name: 'home', component: { render: () => null }, meta: { home: true } },
  { path: '/renewal', name: 'renewal-start', component: () => import('@/renewal/RenewalStartPage.vue'), meta: { roles: STORE } },
  { path: '/renewal/:sessionId', name: 'renewal', component: () => import('@/renewal/RenewalPage.vue'), props: true, meta: { roles: STORE } },
  { path: '/history', name: 'history', component: () => import('@/renewal/HistoryPage.vue'), meta: { roles: STORE } },
  { path: '/dashboard', name: 'dashboard', component: () => import('@/stats/DashboardPage.vue'), meta: { roles: STORE } },
  { path: '/rankings', name: 'rankings', component: () => import('@/stats/RankingsPage.vue'), meta: { roles: MANAGERS } },
  { path: '/staff', name: 'staff', component: () => import('@/stats/StaffPage.vue'), meta: { roles: MANAGERS } },
  { path: '/usage', name: 'usage', component: () => import('@/stats/UsagePage.vue'), meta: { roles: STORE } },
  { path: '/agent', name: 'workbench', component: () => import('@/workbench/WorkbenchPage.vue'), meta: { roles: AGENTS } },
  { path: '/agent/tickets', name: 'tickets', component: () => import('@/tickets/TicketsPage.vue'), meta: { roles: AGENTS } },
  { path: '/agent/tickets/:ticketId', name: 'ticket', component: () => import('@/tickets/TicketPage.vue'), props: true, meta: { roles: AGENTS } },
  { path: '/agent/stats', name: 'service-stats', component: () => import('@/admin/ServiceStatsPage.vue'), meta: { roles: AGENTS } },
  { path: '/admin/agents', name: 'admin-agents', component: () => import('@/admin/AgentsPage.vue'), meta: { roles: ADMINS } },
  { path: '/admin/shift', name: 'admin-shift', component: () => import('@/admin/ShiftPage.vue'), meta: { roles: ADMINS } },
  { path: '/admin/quick-replies', name: 'admin-quick-replies', component: () => import('@/admin/QuickRepliesPage.vue'), meta: { roles: ADMINS } },
  { path: '/admin/auto-replies', name: 'admin-auto-replies', component: () => import('@/admin/AutoRepliesPage.vue'), meta: { roles: ADMINS } },
  { path: '/:pathMatch(.*)*', redirect: '/' }
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const current = await restore()
  if (!current) return { name: 'login', query: { next: to.fullPath } }
  if (to.meta.home) return { path: homeOf(current.role) }
  if (to.meta.roles && !to.meta.roles.includes(current.role as Role)) return { path: homeOf(current.role) }
  return true
})

onSessionEnded((reason) => {
  user.value = null
  const here = router.currentRoute.value
  if (here.meta.public) return
  const query = reason === 'LOGOUT' ? {} : { next: here.fullPath, reason: 'expired' }
  void router.push({ name: 'login', query })
})
