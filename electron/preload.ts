// The preload of the app window (sandboxed, context-isolated): the only user of ipcRenderer. It exposes
// exactly the typed LabApi bridge as `window.engram`; see bridge.ts for why nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('engram', createBridge(ipcRenderer));
