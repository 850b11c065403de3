// Where the Electron preload puts the bridge: `window.engram` (absent in browser mode). Renderer process.
import type { EngramBridge } from '../../engine/api/lab-api';

export type { EngramBridge };

declare global {
  interface Window {
    /** Present only inside the Electron app (set by the preload). */
    readonly engram?: EngramBridge;
  }
}
