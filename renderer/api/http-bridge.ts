// Browser mode's transport: LabApi calls as `POST /api/call/<method>` and events from the WebSocket at
// `/api/events`, reconnected with backoff when it drops. Same origin, so the auth cookie rides along.
// Renderer process.
import type { CallEnvelope } from '../../engine/api/lab-api';
import type { EngramBridge } from './engram-bridge';
import { LabCallError } from './lab-call-error';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The part of a WebSocket this transport uses (a fake in tests). */
export interface SocketLike {
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  close(): void;
}

export interface HttpBridgeOptions {
  /** `http(s)://host:port` of the page. */
  readonly origin: string;
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  readonly openSocket?: (url: string) => SocketLike;
  /** Schedules a reconnect; returns a cancel function. */
  readonly setTimer?: (run: () => void, delayMs: number) => () => void;
}

export interface HttpBridge extends EngramBridge {
  /** Tells `listener` the connection state now and on every change. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Stops reconnecting and closes the socket. */
  close(): void;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export function reconnectDelayMs(failedAttempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));
}

export function createHttpBridge(options: HttpBridgeOptions): HttpBridge {
  const fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
  const openSocket = options.openSocket ?? ((url) => new WebSocket(url));
  const setTimer =
    options.setTimer ??
    ((run, delayMs) => {
      const id = setTimeout(run, delayMs);
      return () => clearTimeout(id);
    });
  const eventsUrl = `${options.origin.replace(/^http/, 'ws')}/api/events`;
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | null = null;
  let failedAttempts = 0;
  let cancelRetry: (() => void) | null = null;
  let closed = false;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of connectionListeners) listener(state);
  };

  const dispatch = (data: unknown) => {
    if (typeof data !== 'string') return;
    const message: unknown = JSON.parse(data);
    if (typeof message !== 'object' || message === null || !('event' in message) || typeof message.event !== 'string') {
      throw new Error(`unexpected event message: ${data.slice(0, 200)}`);
    }
    const payload = 'payload' in message ? message.payload : undefined;
    for (const listener of eventListeners.get(message.event) ?? []) listener(payload);
  };

  const connect = () => {
    cancelRetry = null;
    const ws = openSocket(eventsUrl);
    socket = ws;
    ws.onopen = () => {
      failedAttempts = 0;
      setState('open');
    };
    ws.onmessage = (ev) => dispatch(ev.data);
    // A failed socket also closes; reconnecting is decided there, once.
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      setState('closed');
      failedAttempts += 1;
      cancelRetry = setTimer(connect, reconnectDelayMs(failedAttempts));
    };
  };
  connect();

  return {
    async call(method: string, params: unknown): Promise<CallEnvelope> {
      let response: Response;
      try {
        response = await fetchFn(`${options.origin}/api/call/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(params ?? {}),
          credentials: 'same-origin',
        });
      } catch (err) {
        throw new LabCallError('transport', `the lab service is unreachable (${String(err)})`, method);
      }
      const text = await response.text();
      const body = parseJson(text);
      if (isEnvelope(body)) return body;
      const why =
        response.status === 401
          ? 'not authorised: open the address with the ?token= that `engram serve` printed'
          : `HTTP ${response.status} ${text.slice(0, 200)}`;
      throw new LabCallError('transport', why, method);
    },
    on(event, listener) {
      let set = eventListeners.get(event);
      if (!set) eventListeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    close() {
      closed = true;
      cancelRetry?.();
      socket?.close();
      socket = null;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isEnvelope(body: unknown): body is CallEnvelope {
  if (typeof body !== 'object' || body === null) return false;
  if ('result' in body) return true;
  if (!('error' in body)) return false;
  const error = body.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}
