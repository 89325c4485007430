/**
 * Electron main process: a thin adapter. It creates the one window with the
 * secure settings of security.ts, wires the contract's calls and events to the
 * Electron-free host (electron/host), and carries frames to the page over a
 * MessagePort as binary packets.
 */
import { app, BrowserWindow, dialog, safeStorage, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHost } from '../host/host.js';
import { registerIpc } from './ipc.js';
import { safeStorageCipher } from './safe-storage-cipher.js';
import { CONTENT_SECURITY_POLICY, VIDEO_EXTENSIONS, isAllowedExternal, isAppUrl, secureWebPreferences } from './security.js';

// Tests (and careful users) can point the app at a fresh user-data folder.
if (process.env.KVS_USER_DATA_DIR) app.setPath('userData', process.env.KVS_USER_DATA_DIR);

const rendererFile = join(import.meta.dirname, '../renderer/index.html');
const appUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(rendererFile).toString();

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Kafka Video Studio',
    icon: join(import.meta.dirname, '../../resources/icon.png'),
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  // will-navigate covers the main frame only; the page has no frames of its own, so a frame
  // (injected markup) may not leave the app either
  win.webContents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url, appUrl)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // `npm run demo` asks the page to connect and watch by itself (#bootstrap=…&watch=…)
  const autostart = process.env.KVS_AUTOSTART;
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(`${process.env.ELECTRON_RENDERER_URL}${autostart ? `#${autostart}` : ''}`);
  else void win.loadFile(rendererFile, autostart ? { hash: autostart } : {});
  return win;
}

void app.whenReady().then(() => {
  // No permission (camera, notifications, …) is ever granted to the page.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  const win = createWindow();
  const host = createHost({
    userDataDir: app.getPath('userData'),
    allowOpenPath: false,
    chooseVideo: async () => {
      const r = await dialog.showOpenDialog(win, {
        title: 'Choose a video',
        properties: ['openFile'],
        filters: [{ name: 'Videos', extensions: VIDEO_EXTENSIONS }, { name: 'All files', extensions: ['*'] }],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    chooseTarball: async () => {
      const r = await dialog.showOpenDialog(win, {
        title: 'Choose a Kafka download (.tgz)',
        properties: ['openFile'],
        filters: [{ name: 'Kafka distribution', extensions: ['tgz', 'gz'] }, { name: 'All files', extensions: ['*'] }],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    // remembered SSH passwords are encrypted by the OS keychain, or not remembered at all
    cipher: safeStorageCipher(safeStorage),
  });
  const unregister = registerIpc({ host, win, appUrl });
  app.on('before-quit', () => {
    unregister();
    void host.dispose();
  });
});

app.on('window-all-closed', () => app.quit());
