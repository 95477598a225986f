/**
 * The customer chat widget's entry (web/widget.html, served at /widget). Plain Vue and Tailwind:
 * no router, no vue-i18n, no Nuxt UI, so the first load stays far under the 100 KB budget.
 */
import { createApp } from 'vue'
import WidgetApp from './WidgetApp.vue'
import './widget.css'

createApp(WidgetApp).mount('#widget')
