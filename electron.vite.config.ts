import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';

// electron-vite: one config builds the three bundles (main, preload, renderer)
// with Vite, and its dev server gives renderer hot reload. Custom roots keep the
// fixed layout: electron/ for the Node side, renderer/ for the page.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: { outDir: 'out/main', rollupOptions: { input: { index: resolve('electron/main/index.ts') } } },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve('electron/preload/index.ts') }, output: { format: 'cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    build: { outDir: 'out/renderer', minify: true, rollupOptions: { input: { index: resolve('renderer/index.html') } } },
  },
});
