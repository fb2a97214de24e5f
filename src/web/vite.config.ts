/**
 * Vite build of the web app. The server (src/server/web-build.ts) runs this build itself when the
 * output is missing or older than the sources, so no separate dev server or build step is needed.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // one app of modest size; a warning here would only be noise in the server's start
    chunkSizeWarningLimit: 1500,
  },
});
