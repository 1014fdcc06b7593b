// Vite builds the single-page app into dist/, which the Tandem server serves at "/".
// `npm run dev` proxies the API and the sync sockets to a server on :8000 (scripts/serve).
import { defineConfig } from 'vite'

const backend = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.TANDEM_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 900 },
  server: {
    proxy: {
      '/api': backend,
      '/sync': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
})
