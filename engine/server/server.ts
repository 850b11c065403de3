// Browser mode: the LabApi over HTTP (POST /api/call/<method>) and WebSocket events (/api/events), plus
// the built renderer, all behind a per-launch token and a Host-header check (no DNS rebinding).
// Runs in the `engram serve` process, on top of the lab service's dispatcher.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabEventMessage } from '../api/lab-api';
import type { LabService } from '../lab/service';
import { RENDERER_CSP } from '../api/csp';

export interface ServeOptions {
  readonly service: LabService;
  /** The built renderer (index.html and assets). */
  readonly staticDir: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Fixed token (tests); a random one otherwise. */
  readonly token?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

const COOKIE = 'engram_token';
/** Largest request body accepted (notebook sources and settings, never bulk data). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { service, staticDir } = options;
  if (!existsSync(staticDir)) throw new Error(`the renderer is not built (${staticDir} is missing): run npm run build`);
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const assets = sirv(staticDir, { dev: false, etag: true, gzip: false, brotli: false });
  let allowedHosts = new Set<string>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'failed', message: String(err) } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      sendText(res, 403, 'Forbidden: unexpected Host header');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://engram');
    const queryToken = url.searchParams.get('token');
    if (!authorised(req, token) && !(queryToken && sameToken(queryToken, token))) {
      sendText(res, 401, 'Unauthorised: open the URL with its ?token= that `engram serve` printed');
      return;
    }
    if (queryToken) {
      // The first load trades the URL token for a cookie; the page then drops it from its URL.
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (url.pathname.startsWith('/api/call/')) {
      await handleCall(req, res, decodeURIComponent(url.pathname.slice('/api/call/'.length)));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed');
      return;
    }
    res.setHeader('Content-Security-Policy', RENDERER_CSP);
    res.setHeader('Cache-Control', 'no-store');
    assets(req, res, () => sendText(res, 404, 'Not found'));
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') {
      sendText(res, 405, 'LabApi calls are POST requests');
      return;
    }
    let params: unknown;
    try {
      const body = await readBody(req);
      params = body.length ? JSON.parse(body) : {};
    } catch (err) {
      sendJson(res, 400, { error: { code: 'invalid_params', message: `request body is not JSON: ${String(err)}` } });
      return;
    }
    const envelope = await service.dispatcher.call(method, params);
    const status = 'error' in envelope ? { invalid_params: 400, not_found: 404, conflict: 409, failed: 500 }[envelope.error.code] : 200;
    sendJson(res, status, envelope);
  }

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://engram');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`);
    };
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) return refuse(403, 'Forbidden');
    if (!authorised(req, token)) return refuse(401, 'Unauthorized');
    if (url.pathname !== '/api/events') return refuse(404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  const unsubscribe = service.onEvent((event, payload) => {
    const text = JSON.stringify({ event, payload } satisfies LabEventMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host;
  allowedHosts = new Set(hostNamesFor(host).map((h) => `${h}:${port}`.toLowerCase()));

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The Host header values a browser may legitimately send: the loopback names, the bound address, and
 * for a wildcard bind every local interface address and this machine's name. Anything else is a
 * DNS-rebinding attempt or a misdirected request.
 */
function hostNamesFor(host: string): string[] {
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const names = ['localhost', '127.0.0.1', '[::1]', bracket(host)];
  if (host === '0.0.0.0' || host === '::') {
    names.push(hostname());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.push(bracket(a.address));
  }
  return names;
}

/** The request carries the token as a cookie or as `Authorization: Bearer <token>`. */
function authorised(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ') && sameToken(header.slice(7), token)) return true;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === COOKIE && value && sameToken(value, token)) return true;
  }
  return false;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
