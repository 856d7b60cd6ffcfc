import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** Reads a whole request body; the fakes parse forms and JSON the way the real services do. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Binds to a random free loopback port, so suites running in parallel never collide. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Tracks sockets so `close()` can end keep-alive and held connections instead of waiting for them. */
export function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', onSocket);
  server.on('secureConnection', onSocket);
  return sockets;
}

/** Stops a server and destroys its open sockets, so a test's `close()` resolves promptly. */
export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
    for (const s of sockets) s.destroy();
  });
}

/** Headers as recorded by the fakes: lower-cased, single-valued, credentials masked. */
export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const v = Array.isArray(value) ? value.join(', ') : value;
    out[name.toLowerCase()] = name.toLowerCase() === 'authorization' ? '***' : v;
  }
  return out;
}

/** Parses a JSON body leniently; undefined for empty or non-JSON bodies (the fakes decide how to answer). */
export function tryParseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface Waiter<T> {
  predicate: (item: T) => boolean;
  resolve: (item: T) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * An append-only request log with event-driven waiting, so tests never poll or sleep:
 * `waitFor` checks the backlog first, then resolves on the next matching `push`.
 */
export class RecordLog<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  constructor(
    private readonly label: string,
    private readonly describe: (item: T) => string,
  ) {}

  /** Appends a record and wakes matching waiters. */
  push(item: T): void {
    this.items.push(item);
    for (const w of [...this.waiters]) {
      let matched: boolean;
      try {
        matched = w.predicate(item);
      } catch (err) {
        this.settle(w);
        w.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (matched) {
        this.settle(w);
        w.resolve(item);
      }
    }
  }

  /** Resolves with the first matching record, or rejects after `timeoutMs` listing what was recorded. */
  waitFor(predicate: (item: T) => boolean, timeoutMs: number): Promise<T> {
    const existing = this.items.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const seen = this.items.map((i) => `  - ${this.describe(i)}`).join('\n') || '  (nothing)';
          reject(new Error(`${this.label}: no matching request within ${timeoutMs} ms. Recorded:\n${seen}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Rejects pending waiters and clears their timers (called on close). */
  dispose(reason: string): void {
    for (const w of [...this.waiters]) {
      this.settle(w);
      w.reject(new Error(`${this.label}: ${reason}`));
    }
  }

  private settle(w: Waiter<T>): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }
}

/** Result of {@link sendHttp}. */
export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Minimal HTTP(S) client for the fakes' own use (TeamsClient), built on node:http so tests need no fetch shims. */
export function sendHttp(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<HttpResult> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const req = send(target, { method: init.method, headers, agent: false }, (res) => {
      readBody(res).then(
        (text) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }),
        reject,
      );
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/**
 * The delays a fake answers after (a service time, a fault's delay), so closing the fake ends every one of
 * them at once instead of leaving timers that keep the test process alive.
 */
export class Delays {
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  /** Resolves after `ms`, or as soon as {@link cancelAll} runs. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  /** Ends every delay now. */
  cancelAll(): void {
    for (const [timer, wake] of this.timers) {
      clearTimeout(timer);
      wake();
    }
    this.timers.clear();
  }
}
