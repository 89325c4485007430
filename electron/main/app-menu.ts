/**
 * The packaged app's menu, as plain data (no `electron` import, so it is unit-tested).
 *
 * Electron's default menu has View → Reload, Force Reload and Toggle Developer Tools, also in
 * a packaged app (lib/browser/default-menu.ts: it is set unless the app sets its own). A reload
 * throws away what the page shows and a DevTools console can call the bridge, so a packaged
 * app gets this menu instead: the standard roles people expect (copy and paste, zoom, full
 * screen, close, quit), nothing that reloads the page or opens DevTools. In development
 * (`npm start`) Electron's default menu stays, DevTools and all.
 */
export interface MenuItemSpec {
  readonly role?: string;
  readonly type?: 'separator';
  readonly label?: string;
  readonly submenu?: readonly MenuItemSpec[];
}

/** Roles that must never be in the packaged menu. */
export const FORBIDDEN_ROLES = ['reload', 'forceReload', 'toggleDevTools'] as const;

export function packagedMenuTemplate(platform: NodeJS.Platform): MenuItemSpec[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
