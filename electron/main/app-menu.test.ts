/**
 * The packaged app's menu (app-menu.ts): nothing that reloads the page or opens DevTools, on any
 * platform, but the roles people expect — copy and paste, and a way to quit.
 */
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_ROLES, packagedMenuTemplate, type MenuItemSpec } from './app-menu.js';

/** Every item of the template, submenus included. */
function allItems(items: readonly MenuItemSpec[]): MenuItemSpec[] {
  return items.flatMap((item) => [item, ...allItems(item.submenu ?? [])]);
}

/** Roles as Electron compares them. */
const roles = (items: readonly MenuItemSpec[]): string[] =>
  allItems(items)
    .map((i) => i.role)
    .filter((r): r is string => r !== undefined)
    .map((r) => r.toLowerCase());

const PLATFORMS: NodeJS.Platform[] = ['darwin', 'linux', 'win32', 'freebsd'];

describe('packagedMenuTemplate', () => {
  it('forbids exactly reload, force reload and the developer tools', () => {
    expect([...FORBIDDEN_ROLES].sort()).toEqual(['forceReload', 'reload', 'toggleDevTools'].sort());
  });

  for (const platform of PLATFORMS) {
    describe(platform, () => {
      const template = packagedMenuTemplate(platform);

      it('has no forbidden role anywhere, nor a menu role that brings them back', () => {
        const all = roles(template);
        for (const forbidden of FORBIDDEN_ROLES) expect(all).not.toContain(forbidden.toLowerCase());
        // Electron's 'viewMenu' role is a View menu with Reload, Force Reload and DevTools in it
        expect(all).not.toContain('viewmenu');
        for (const item of allItems(template))
          expect(item.label ?? '', JSON.stringify(item)).not.toMatch(/reload|developer|devtools/i);
      });

      it('keeps copy and paste (the Edit menu)', () => {
        const all = roles(template);
        expect(all.includes('editmenu') || (all.includes('copy') && all.includes('paste'))).toBe(
          true,
        );
      });

      it('has a way to quit', () => {
        // appMenu has Quit on macOS; fileMenu has Quit elsewhere (Close on macOS)
        const all = roles(template);
        const quitRole = platform === 'darwin' ? 'appmenu' : 'filemenu';
        expect(all.includes(quitRole) || all.includes('quit'), quitRole).toBe(true);
      });

      it('keeps zoom and full screen, and is plain data (no functions, no clicks)', () => {
        const all = roles(template);
        for (const r of ['resetzoom', 'zoomin', 'zoomout', 'togglefullscreen'])
          expect(all).toContain(r);
        expect(JSON.parse(JSON.stringify(template))).toEqual(template);
      });
    });
  }

  it('has the app menu on macOS only', () => {
    expect(roles(packagedMenuTemplate('darwin'))).toContain('appmenu');
    for (const p of ['linux', 'win32'] as const)
      expect(roles(packagedMenuTemplate(p))).not.toContain('appmenu');
  });
});
