// The app window: sandboxed, context-isolated, no Node in the page, the preload as its only bridge,
// navigation and new windows refused. Electron main process.
import { BrowserWindow, session, shell } from 'electron';
import { APP_ORIGIN, isAppUrl } from './app-origin';

export function createWindow(options: { preload: string; devServerUrl?: string }): BrowserWindow {
  // The app needs no camera, microphone, location or notifications (security checklist #5).
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Engram',
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Checklist #13: the window never navigates away from the app…
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, options.devServerUrl)) event.preventDefault();
  });
  // …and #14: new windows are refused; web links open in the user's browser instead.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadURL(options.devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}
