/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import ui from '@nuxt/ui/vite'
import { fileURLToPath } from 'node:url'

// Built into dist/ and served by Litestar on the API's own origin (api/web/static.py).
// `npm run dev` proxies the API to a running `make run` on 127.0.0.1:8000.
export default defineConfig({
  plugins: [
    vue(),
    ui({
      // Icons are bundled at build time from @iconify-json/lucide (no icon API at run time).
      icon: { clientBundle: { scan: true } },
      colorMode: false,
      ui: { colors: { primary: 'sky', neutral: 'slate' } }
    })
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    // Two pages: the staff console, and the customer chat widget (framed on the operator's site)
    rollupOptions: { input: { console: 'index.html', widget: 'widget.html' } }
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000', '/health': 'http://127.0.0.1:8000' }
  },
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: { environment: 'happy-dom', include: ['tests/unit/**/*.spec.ts'] }
})
