// `node --import tsx --import ./register.mjs <main bundle>`: the built main bundle's
// `import … from "electron"` resolves to the stand-in (electron-main.ts) instead of the
// `electron` package (whose index.js only returns the path of a binary this machine lacks).
import { register } from 'node:module';

register('./resolve-electron.mjs', import.meta.url);
