// Electron Forge: how the app is built (Vite, one config per process target), packaged and made into
// zip and deb artefacts. Native and data-carrying modules are left out of the bundles and shipped
// beside them, unpacked from the asar where they hold binaries.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerZIP } from '@electron-forge/maker-zip';
import { AutoUnpackNativesPlugin } from '@electron-forge/plugin-auto-unpack-natives';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { kernelExternals, mainExternals } from './vite.externals';

/** A package and everything it depends on at run time, found by walking node_modules. */
function runtimeClosure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const manifest = join(__dirname, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) return; // an optional dependency that did not install
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
  };
  roots.forEach(visit);
  return seen;
}

// The Vite plugin packages only `.vite/` (electron/forge#3738); the externals must be let through.
const shipped = runtimeClosure([...mainExternals, ...kernelExternals]);

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Engram',
    executableName: 'engram',
    asar: true,
    ignore: (path: string) => {
      if (path === '' || path === '/package.json' || path.startsWith('/.vite')) return false;
      if (path === '/node_modules') return false;
      const match = /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      if (!match) return true;
      const name = match[1]!;
      // A bare scope folder (/node_modules/@tensorflow) passes when a shipped package lives in it.
      if (name.startsWith('@') && !name.includes('/')) return ![...shipped].some((s) => s.startsWith(`${name}/`));
      return !shipped.has(name);
    },
  },
  rebuildConfig: { onlyModules: ['better-sqlite3'] },
  makers: [new MakerZIP({}), new MakerDeb({ options: { productName: 'Engram', categories: ['Science', 'Education'] } })],
  plugins: [
    new AutoUnpackNativesPlugin({}),
    new VitePlugin({
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: { kernel: 'engine/kernel/main.ts' }, config: 'vite.kernel.config.ts', target: 'main' },
        // Sweeps train one run per core in worker threads; the pool looks for this file beside kernel.js.
        { entry: { 'training-worker': 'engine/kernel/training-worker.ts' }, config: 'vite.kernel.config.ts', target: 'main' },
        { entry: 'electron/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

export default config;
