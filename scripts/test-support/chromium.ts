/**
 * Debian's Chromium for tests and the bench (`npx playwright install` cannot download here):
 * where it is and how it is started. The flags keep it off the network it cannot reach
 * (background networking, component updates, sync, QUIC) and fit a root, GPU-less machine.
 * `fileAccess`: a page loaded from file:// may load its own module scripts, as Electron's
 * file:// page may (the electron stand-in's page).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumArgs(opts: { fileAccess?: boolean } = {}): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(opts.fileAccess ? ['--allow-file-access-from-files'] : []),
  ];
}

export function launchChromium(opts: { fileAccess?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`,
    );
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(opts) });
}
