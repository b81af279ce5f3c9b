// Vite builds the app into web/dist (static files the gateway serves at /).
// JSX goes through esbuild straight to Preact: no framework plugin needed.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // no inline <script> or data: module preload polyfill: the CSP allows 'self' only
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
