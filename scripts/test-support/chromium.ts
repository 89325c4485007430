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

/**
 * `camera`: Chromium's fake camera (`--use-fake-device-for-media-stream`, a test pattern) with its
 * prompt answered without a person (`--use-fake-ui-for-media-stream`: allow; `=deny`: deny).
 */
export interface ChromiumOptions {
  readonly fileAccess?: boolean;
  readonly camera?: 'allow' | 'deny' | null;
}

export function chromiumArgs(opts: ChromiumOptions = {}): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(opts.fileAccess ? ['--allow-file-access-from-files'] : []),
    ...(opts.camera
      ? [
          '--use-fake-device-for-media-stream',
          opts.camera === 'deny'
            ? '--use-fake-ui-for-media-stream=deny'
            : '--use-fake-ui-for-media-stream',
        ]
      : []),
  ];
}

export function launchChromium(opts: ChromiumOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`,
    );
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(opts) });
}
