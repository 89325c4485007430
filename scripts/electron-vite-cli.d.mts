/** electron-vite's command-line script in the project at `root` (see electron-vite-cli.mjs). */
export function electronViteCli(root: string): string;
