// Electron main process: lifecycle only. It opens the lab book through the lab service (kernels run in
// utility processes), binds the LabApi to IPC, serves the renderer from app:// and opens the window.
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain } from 'electron';
import { defaultDataDir, labBookPath } from '../engine/lab/paths';
import { LabService } from '../engine/lab/service';
import { bindLabApi } from './ipc';
import { utilityProcessLauncher } from './kernel-launcher';
import { registerAppScheme, serveRenderer } from './protocol';
import { APP_ORIGIN, isAppUrl } from './app-origin';
import { electronFigureRenderer } from './figure-window';
import { createWindow } from './window';

// Provided by Electron Forge's Vite plugin at build time.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;

// One lab book for the app, the CLI and browser mode: the data folder is computed the same way.
app.setPath('userData', defaultDataDir());
registerAppScheme();

if (!app.requestSingleInstanceLock()) app.quit();

let service: LabService | null = null;

app.whenReady().then(() => {
  const devServerUrl = typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' ? MAIN_WINDOW_VITE_DEV_SERVER_URL : undefined;
  service = new LabService({
    dbPath: labBookPath(),
    launcher: utilityProcessLauncher(join(__dirname, 'kernel.js')),
    figureRenderer: electronFigureRenderer(devServerUrl ? new URL('export.html', devServerUrl).href : `${APP_ORIGIN}/export.html`),
  });
  serveRenderer(join(__dirname, '..', 'renderer', MAIN_WINDOW_VITE_NAME));
  bindLabApi(ipcMain, service, {
    isTrusted: (url) => isAppUrl(url, devServerUrl),
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  });
  void service.kernel.start();
  const open = () => createWindow({ preload: join(__dirname, 'preload.js'), ...(devServerUrl ? { devServerUrl } : {}) });
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('will-quit', (event) => {
  if (!service || closing) return;
  // Give the kernel its grace period and flush buffered metrics before the process goes.
  event.preventDefault();
  closing = true;
  void service.close().finally(() => app.quit());
});
