import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The API the dev server forwards to: `pnpm dev` runs the server beside it, on PORT. */
const api = `http://localhost:${process.env.PORT ?? 3001}`;

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
