// The kernel's end of its message channel to the lab service: Electron's utilityProcess parentPort
// when it runs inside Electron, or Node's IPC channel when it was forked. Kernel process only.
import type { KernelToService, ServiceToKernel } from '../api/kernel-protocol';

export interface KernelPort {
  post(message: KernelToService): void;
  onMessage(listener: (message: ServiceToKernel) => void): void;
  /** Called once when the service end goes away; the kernel then exits. */
  onDisconnect(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

export function connectPort(): KernelPort {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (m) => parentPort.postMessage(m),
      onMessage: (listener) => parentPort.on('message', (e) => listener(e.data as ServiceToKernel)),
      // A utility process is killed with its parent; there is no disconnect event to wait for.
      onDisconnect: () => {},
    };
  }
  if (process.send) {
    return {
      post: (m) => process.send!(m),
      onMessage: (listener) => process.on('message', (m) => listener(m as ServiceToKernel)),
      onDisconnect: (listener) => process.on('disconnect', listener),
    };
  }
  throw new Error('the kernel runs only as a child of the lab service (no IPC channel found)');
}
