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
    roles?: Role[]
  }
}

const STORE: Role[] = ['sales', 'manager', 'admin']
const MANAGERS: Role[] = ['manager', 'admin']

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true } },
  { path: '/', redirect: '/renewal' },
  { path: '/renewal', name: 'renewal-start', component: () => import('@/renewal/RenewalStartPage.vue'), meta: { roles: STORE } },
  { path: '/renewal/:sessionId', name: 'renewal', component: () => import('@/renewal/RenewalPage.vue'), props: true, meta: { roles: STORE } },
  { path: '/history', name: 'history', component: () => import('@/renewal/HistoryPage.vue'), meta: { roles: STORE } },
  { path: '/dashboard', name: 'dashboard', component: () => import('@/stats/DashboardPage.vue'), meta: { roles: STORE } },
  { path: '/rankings', name: 'rankings', component: () => import('@/stats/RankingsPage.vue'), meta: { roles: MANAGERS } },
  { path: '/staff', name: 'staff', component: () => import('@/stats/StaffPage.vue'), meta: { roles: MANAGERS } },
  { path: '/usage', name: 'usage', component: () => import('@/stats/UsagePage.vue'), meta: { roles: STORE } },
  { path: '/:pathMatch(.*)*', redirect: '/renewal' }
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const current = await restore()
  if (!current) return { name: 'login', query: { next: to.fullPath } }
  if (to.meta.roles && !to.meta.roles.includes(current.role as Role)) return { path: '/renewal' }
  return true
})

onSessionEnded((reason) => {
  user.value = null
  const here = router.currentRoute.value
  if (here.meta.public) return
  const query = reason === 'LOGOUT' ? {} : { next: here.fullPath, reason: 'expired' }
  void router.push({ name: 'login', query })
})
