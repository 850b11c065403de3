// Opens a URL in the user's browser when one can be found; silently does nothing otherwise (the URL
// is printed anyway). CLI process.
import { spawn } from 'node:child_process';

export function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener on this machine (a headless server): the printed URL is the way in.
  }
}
