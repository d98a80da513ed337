import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The API the dev server forwards to (`pnpm dev` runs the server on 3001 beside it). */
const api = process.env.VITE_API_ORIGIN ?? 'http://localhost:3001';

export default defineConfig({
  plugins: [react()],
  // The workspace packages are bundled from their TypeScript sources.
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  server: {
    port: 5173,
    proxy: { '/api': api, '/trpc': api, '/.well-known': api },
  },
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 600 },
});
