// Runs the real `engram` command in a child process, as a user would from a checkout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
const cli = join(repoRoot, 'engine', 'cli', 'main.ts');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `engram ARGS…` to completion; ENGRAM_DB is set when `db` is given. */
export function engram(args: readonly string[], options: { db?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...options.env, ...(options.db ? { ENGRAM_DB: options.db } : {}) },
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `engram serve` on a free port; resolves once it printed its URL. Its app-data folder (where the first
 * start puts the demo notebook) is `config/` beside the lab book, never the user's, unless `env` says.
 */
export function startServe(db: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; base: string; token: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--db', db, '--port', '0', '--no-open'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: join(dirname(db), 'config'), ...env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /Engram is running at (http:\/\/[^/]+)\/\?token=(\S+)/.exec(out);
      if (m) resolve({ child, url: `${m[1]}/?token=${m[2]}`, base: m[1]!, token: m[2]! });
    });
    child.on('exit', (code) => reject(new Error(`engram serve exited (${code}) before printing its URL: ${err}`)));
  });
}

/** POST a LabApi call to a running `engram serve`. */
export async function callServe(base: string, token: string, method: string, params: unknown): Promise<unknown> {
  const res = await fetch(`${base}/api/call/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
