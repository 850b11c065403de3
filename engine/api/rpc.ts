// The pairing rule of the kernel protocol: a request carries an id, its response the same id. Used
// on both ends (lab service and kernel process) over whatever carries the messages. No imports.
import type { RpcRequest, RpcResponse } from './kernel-protocol';

/** A failed remote call; `code` says whether the caller's input was at fault. */
export class RpcError extends Error {
  constructor(
    readonly code: 'invalid_params' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

type Handler = (params: unknown) => Promise<unknown>;

/** Sends requests and matches responses; answers incoming requests with the registered handlers. */
export class RpcPeer {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, Handler>();

  constructor(private readonly send: (message: RpcRequest | RpcResponse) => void) {}

  handle(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send({ type: 'request', id, method, params });
    });
  }

  /** Feeds an incoming message; returns false when it is not a request or response. */
  receive(message: { type: string }): boolean {
    if (message.type === 'response') {
      const m = message as RpcResponse;
      const w = this.waiting.get(m.id);
      if (w) {
        this.waiting.delete(m.id);
        if (m.ok) w.resolve(m.result);
        else w.reject(new RpcError(m.error.code, m.error.message));
      }
      return true;
    }
    if (message.type === 'request') {
      const m = message as RpcRequest;
      const handler = this.handlers.get(m.method);
      const reply = (r: RpcResponse) => this.send(r);
      if (!handler) {
        reply({ type: 'response', id: m.id, ok: false, error: { code: 'failed', message: `no handler for ${m.method}` } });
        return true;
      }
      handler(m.params).then(
        (result) => reply({ type: 'response', id: m.id, ok: true, result }),
        (err: unknown) =>
          reply({
            type: 'response',
            id: m.id,
            ok: false,
            error: {
              code: err instanceof RpcError ? err.code : 'failed',
              message: err instanceof Error ? err.message : String(err),
            },
          }),
      );
      return true;
    }
    return false;
  }

  /** Fails every request still waiting (the other end went away). */
  failAll(reason: string): void {
    for (const w of this.waiting.values()) w.reject(new RpcError('failed', reason));
    this.waiting.clear();
  }
}
