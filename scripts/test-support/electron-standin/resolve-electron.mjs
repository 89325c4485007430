// Node module resolve hook (docs: nodejs.org/api/module.html#resolvespecifier-context-nextresolve):
// the specifier `electron` becomes the stand-in; everything else resolves as usual.
const standin = new URL('./electron-main.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: standin, shortCircuit: true };
  return nextResolve(specifier, context);
}
