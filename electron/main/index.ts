/**
 * Electron main process: a thin adapter. It creates the one window with the secure settings
 * of security.ts, wires the contract's calls and events to the Electron-free app services
 * (electron/services) through ipc.ts, gives each page a MessagePort for frames, and quits only
 * after the app services have cleaned up.
 */
import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  safeStorage,
  session,
  shell,
  type MenuItemConstructorOptions,
} from 'electron';
import { join } from 'node:path';
import { createAppServices } from '../services/app-services.js';
import { userDataDir } from '../services/user-data-dir.js';
import { packagedMenuTemplate } from './app-menu.js';
import { registerIpc } from './ipc.js';
import { quitAfterCleanup } from './quit.js';
import { safeStorageCipher } from './safe-storage-cipher.js';
import {
  cspUrlFilter,
  desktopContentSecurityPolicy,
  isAllowedExternal,
  isAppUrl,
  permissionGranted,
  rendererLocation,
  secureWebPreferences,
  VIDEO_EXTENSIONS,
} from './security.js';

/** How long quitting waits for viewers, jobs and SSH sessions to wind down. */
const QUIT_CLEANUP_MS = 8_000;

// One per-user folder for the desktop app, `kvs serve` and the CLI (KVS_USER_DATA_DIR for tests).
app.setPath('userData', userDataDir());

const rendererFile = join(import.meta.dirname, '../renderer/index.html');
const location = rendererLocation({ isPackaged: app.isPackaged, env: process.env, rendererFile });
const appUrl = location.url;
// a packaged app's icon ships in resources/ (electron-builder's extraResources), not in the asar
const iconFile = app.isPackaged
  ? join(process.resourcesPath, 'icon.png')
  : join(import.meta.dirname, '../../resources/icon.png');

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Kafka Video Studio',
    icon: iconFile,
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
  if (location.kind === 'dev-server')
    void win.loadURL(`${location.url}${autostart ? `#${autostart}` : ''}`);
  else void win.loadFile(rendererFile, autostart ? { hash: autostart } : {});
  return win;
}

void app.whenReady().then(() => {
  if (app.isPackaged)
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        packagedMenuTemplate(process.platform) as MenuItemConstructorOptions[],
      ),
    );

  const win = createWindow();
  const fromApp = (wc: Electron.WebContents | null, requestingUrl: string) => ({
    appWindow: wc !== null && !win.isDestroyed() && wc === win.webContents,
    requestingUrl,
  });
  // The copy buttons' clipboard write and a camera (video only), from the app's own page:
  // granted. Anything else: refused (security.ts permissionGranted says why and cites Electron).
  session.defaultSession.setPermissionRequestHandler((wc, permission, callback, details) =>
    callback(permissionGranted(permission, fromApp(wc, details.requestingUrl), appUrl, details)),
  );
  session.defaultSession.setPermissionCheckHandler((wc, permission, _origin, details) =>
    permissionGranted(permission, fromApp(wc, details.requestingUrl ?? ''), appUrl, details),
  );
  const csp = desktopContentSecurityPolicy(location.kind === 'dev-server' ? location.url : null);
  session.defaultSession.webRequest.onHeadersReceived(cspUrlFilter(appUrl), (details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });

  const services = createAppServices({
    userDataDir: app.getPath('userData'),
    allowOpenPath: false,
    chooseVideo: async () => {
      const r = await dialog.showOpenDialog(win, {
        title: 'Choose a video',
        properties: ['openFile'],
        filters: [
          { name: 'Videos', extensions: VIDEO_EXTENSIONS },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    chooseTarball: async () => {
      const r = await dialog.showOpenDialog(win, {
        title: 'Choose a Kafka download (.tgz)',
        properties: ['openFile'],
        filters: [
          { name: 'Kafka distribution', extensions: ['tgz', 'gz'] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    // an MP4 export: the save dialog asks about replacing an existing file itself (so the
    // services replace it); cancelled: nothing is exported
    chooseExportFile: async (defaultName) => {
      const r = await dialog.showSaveDialog(win, {
        title: 'Export MP4',
        defaultPath: defaultName, // a file name: the dialog opens in its usual folder
        filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
        properties: ['showOverwriteConfirmation', 'createDirectory'],
      });
      return r.canceled || r.filePath === undefined || r.filePath === '' ? null : r.filePath;
    },
    // remembered SSH passwords are encrypted by the OS keychain, or not remembered at all
    cipher: safeStorageCipher(safeStorage),
  });
  const unregister = registerIpc({ services, win, appUrl });
  // Quitting waits (up to a limit) for viewers to leave their consumer groups, ffmpeg to be
  // killed and SSH sessions to close.
  quitAfterCleanup(
    app,
    async () => {
      unregister();
      await services.dispose();
    },
    QUIT_CLEANUP_MS,
    (line) => console.error(line),
  );
});

app.on('window-all-closed', () => app.quit());
