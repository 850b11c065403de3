// Starts kernel processes as Electron utility processes (child_process.fork is unavailable once the
// RunAsNode fuse is off). A crash or out-of-memory there kills only the kernel. Electron main process.
import { utilityProcess } from 'electron';
import type { KernelToService } from '../engine/api/kernel-protocol';
import type { KernelLauncher } from '../engine/lab/kernel-host';

export function utilityProcessLauncher(entry: string): KernelLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Engram kernel', stdio: 'inherit' });
    return {
      send: (m) => child.postMessage(m),
      onMessage: (listener) => child.on('message', (m: unknown) => listener(m as KernelToService)),
      onExit: (listener) => child.on('exit', (code: number) => listener(`exited with code ${code}`)),
      kill: () => void child.kill(),
    };
  };
}
