// The origin the app's pages come from, and the check every privileged path applies to a frame's URL.
// Free of Electron imports, so it is tested in plain Node. Electron main process.

/** The origin the app's pages are served from (see protocol.ts). */
export const APP_ORIGIN = 'app://engram';

/** Whether a frame URL belongs to the app (checked with a real URL parser, never a prefix test). */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'app:' && u.host === 'engram') return true;
    return devServerUrl !== undefined && u.origin === new URL(devServerUrl).origin;
  } catch {
    return false;
  }
}
