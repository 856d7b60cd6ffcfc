// @ts-check
/**
 * The file store's I/O thread. It runs each batch of file operations with synchronous calls, in order,
 * and answers the batch with one message: a record costs one hand-off between threads instead of one per
 * system call through libuv's thread pool, and a slow volume stalls this thread, never the event loop.
 * Being the process's only writer of the store's files is what makes `create` an atomic check-and-write.
 */
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** @typedef {import('./file-io.js').FileOp} FileOp */
/** @typedef {import('./file-io.js').FileOpResult} FileOpResult */

/**
 * Writes beside the target, then renames over it, so a crash never leaves half a record.
 * @param {string} temp
 * @param {string} file
 * @param {string} text
 */
function replaceAtomically(temp, file, text) {
  try {
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * @param {FileOp} op
 * @returns {FileOpResult}
 */
function run(op) {
  switch (op.op) {
    case 'read':
      try {
        return { ok: true, text: readFileSync(op.file, 'utf8') };
      } catch (err) {
        if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return { ok: true };
        throw err;
      }
    case 'write':
      replaceAtomically(op.temp, op.file, op.text);
      return { ok: true };
    case 'create':
      if (existsSync(op.file)) return { ok: true, exists: true };
      replaceAtomically(op.temp, op.file, op.text);
      return { ok: true };
    case 'append':
      appendFileSync(op.file, op.text, { mode: 0o600 });
      return { ok: true };
    case 'remove':
      try {
        unlinkSync(op.file);
      } catch (err) {
        if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err;
      }
      return { ok: true };
    case 'list':
      return { ok: true, names: readdirSync(op.dir) };
  }
}

/**
 * @param {FileOp} op
 * @returns {FileOpResult}
 */
function attempt(op) {
  try {
    return run(op);
  } catch (err) {
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    return { ok: false, code: e.code ?? 'EIO', message: e.message };
  }
}

parentPort?.on('message', (/** @type {FileOp[]} */ batch) => {
  parentPort?.postMessage(batch.map(attempt));
});
