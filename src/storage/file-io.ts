import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** One file operation, as sent to the I/O thread. */
export type FileOp =
  | { readonly op: 'read'; readonly file: string }
  | { readonly op: 'write'; readonly file: string; readonly temp: string; readonly text: string }
  | { readonly op: 'create'; readonly file: string; readonly temp: string; readonly text: string }
  | { readonly op: 'append'; readonly file: string; readonly text: string }
  | { readonly op: 'remove'; readonly file: string }
  | { readonly op: 'list'; readonly dir: string };

/** The I/O thread's answer to one operation; a read of a missing file is `ok` without text. */
export type FileOpResult =
  | { readonly ok: true; readonly text?: string; readonly exists?: boolean; readonly names?: string[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

interface Pending {
  readonly op: FileOp;
  resolve(result: FileOpResult & { ok: true }): void;
  reject(err: Error): void;
}

const WORKER_SCRIPT = path.join(__dirname, 'file-io-worker.mjs');

/** Test seam: the script the I/O thread runs (default file-io-worker.mjs beside this file). */
export interface FileIoOptions {
  readonly workerScript?: string;
}

function closedError(): Error {
  return new Error('The file store was closed');
}

function ioError(result: FileOpResult & { ok: false }): NodeJS.ErrnoException {
  return Object.assign(new Error(result.message), { code: result.code });
}

/**
 * The file store's disk access, run on a dedicated thread (file-io-worker.mjs). Operations travel in
 * batches, one at a time: what is asked for in the same turn of the event loop, or while the thread works on
 * the previous batch, goes as one message and comes back as one; going through libuv's thread pool cost a
 * hand-off per system call instead, which profiles showed as the largest share of a command's CPU.
 * Operations run in the order they were asked for. If the thread dies, what it had in hand fails with an
 * error (as a failed disk write would) and what waits for it goes to a new thread.
 */
export class FileIo {
  private worker: Worker | undefined;
  private queued: Pending[] = [];
  /** The batch the thread is working on; the next waits in `queued` until it is answered. */
  private inHand: Pending[] | undefined;
  private flushScheduled = false;
  private closed = false;

  constructor(private readonly options: FileIoOptions = {}) {}

  /** The file's text, or undefined when it does not exist. */
  async read(file: string): Promise<string | undefined> {
    return (await this.submit({ op: 'read', file })).text;
  }

  /** Replaces the file's content atomically (temporary file, then rename). */
  async write(file: string, temp: string, text: string): Promise<void> {
    await this.submit({ op: 'write', file, temp, text });
  }

  /** Writes the file only if it does not exist yet; resolves false when it already did. */
  async create(file: string, temp: string, text: string): Promise<boolean> {
    return (await this.submit({ op: 'create', file, temp, text })).exists !== true;
  }

  /** Adds text at the end of the file, making it if needed: no new file per write, unlike `write`. */
  async append(file: string, text: string): Promise<void> {
    await this.submit({ op: 'append', file, text });
  }

  async remove(file: string): Promise<void> {
    await this.submit({ op: 'remove', file });
  }

  async list(dir: string): Promise<string[]> {
    return (await this.submit({ op: 'list', dir })).names ?? [];
  }

  /** Stops the thread; operations still in its hands fail. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    const dropped = [...(this.inHand ?? []), ...this.queued];
    this.inHand = undefined;
    this.queued = [];
    for (const p of dropped) p.reject(closedError());
    if (worker) await worker.terminate();
  }

  private submit(op: FileOp): Promise<FileOpResult & { ok: true }> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.queued.push({ op, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Sends what is queued once the event loop has run what is ready: the operations of this turn, and those
   * that the callers of an answered batch ask for next (a record's audit entry after the record), go in one
   * message; every message is a wake-up of the other thread, which on a VM costs more than the writes.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    // One batch in the thread's hands at a time: what is asked for meanwhile goes in the next batch, so under
    // load one wake-up of the thread carries the writes of many turns.
    if (this.queued.length === 0 || this.closed || this.inHand) return;
    const batch = this.queued;
    this.queued = [];
    const worker = this.worker ?? this.start();
    this.inHand = batch;
    worker.ref();
    worker.postMessage(batch.map((p) => p.op));
  }

  private start(): Worker {
    const worker = new Worker(this.options.workerScript ?? WORKER_SCRIPT);
    worker.on('message', (results: FileOpResult[]) => this.settle(results));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`The file I/O thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(results: FileOpResult[]): void {
    const batch = this.inHand ?? [];
    this.inHand = undefined;
    batch.forEach((pending, i) => {
      const result = results[i];
      if (!result) pending.reject(new Error('The file I/O thread gave no answer'));
      else if (result.ok) pending.resolve(result);
      else pending.reject(ioError(result));
    });
    this.worker?.unref();
    this.scheduleFlush();
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    // Operations not yet sent are safe to send: a new thread takes them.
    const lostOps = new Error(`The file store's I/O thread stopped: ${err.message}`, { cause: err });
    const batch = this.inHand ?? [];
    this.inHand = undefined;
    for (const p of batch) p.reject(lostOps);
    this.flush();
  }
}
