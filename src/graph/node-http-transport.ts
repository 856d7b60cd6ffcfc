import type { Context, FetchOptions, Middleware } from '@microsoft/microsoft-graph-client';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Statuses whose response has no body, which the Response constructor refuses one for. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Sockets kept open to Graph per process; enough for a bulk run's concurrent batches and the turns beside it. */
const MAX_SOCKETS = 64;

/**
 * The Graph client's last middleware, in place of its HTTPMessageHandler (global fetch): node:http(s) with
 * keep-alive agents. In profiles of a command turn, fetch's web-streams plumbing cost about as much CPU as
 * the rest of the Graph client together; this keeps the client's API and our retry middleware while
 * spending about half. It also reads the whole body before it answers, so the retry middleware's timeout
 * per attempt covers a body that stalls after the headers, which it did not with fetch.
 */
export class NodeHttpTransport implements Middleware {
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });

  execute(context: Context): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const url = requestUrl(context.request);
      const options: FetchOptions = context.options ?? {};
      const body = requestBody(options.body);
      const headers = headerRecord(options.headers);
      if (body !== undefined) headers['content-length'] = String(body.byteLength);
      else dropContentType(headers);
      const signal = options.signal ?? undefined;
      if (signal?.aborted) return reject(abortError(signal));
      const secure = url.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, {
        method: (options.method ?? 'GET').toUpperCase(),
        headers,
        agent: secure ? this.https : this.http,
      });
      const onAbort = (): void => {
        req.destroy(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const fail = (err: Error): void => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      };
      req.once('error', fail);
      req.once('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', fail);
        res.once('end', () => {
          signal?.removeEventListener('abort', onAbort);
          try {
            context.response = toResponse(res, Buffer.concat(chunks));
            resolve();
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
      req.end(body);
    });
  }

  /** Closes idle sockets, so a stopping process is not held open by keep-alive. */
  destroy(): void {
    this.https.destroy();
    this.http.destroy();
  }
}

function requestUrl(request: Context['request']): URL {
  if (typeof request === 'string') return new URL(request);
  throw new TypeError('NodeHttpTransport sends requests given as a URL string only');
}

function requestBody(body: FetchOptions['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('NodeHttpTransport sends string and byte bodies only');
}

function headerRecord(init: FetchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (init instanceof Headers) {
    init.forEach((value, key) => (out[key] = value));
  } else if (Array.isArray(init)) {
    for (const [key, value] of init) if (key !== undefined && value !== undefined) out[key] = value;
  } else {
    for (const [key, value] of Object.entries(init)) if (value !== undefined) out[key] = String(value);
  }
  return out;
}

/**
 * The Graph client labels every POST application/json, even one it sends without a body (`.post(undefined)`);
 * a request without a body has no content to type, so the label goes.
 */
function dropContentType(headers: Record<string, string>): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-type') delete headers[key];
}

function toResponse(res: IncomingMessage, body: Buffer): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return bufferedResponse(NULL_BODY_STATUSES.has(status) ? null : body, {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}

/**
 * A Response over a body already in memory. The Fetch Response wraps even a buffer in a web stream, and
 * reading it back (json, text) goes through that stream: in profiles, building and draining it cost more than
 * parsing the JSON. This one answers the reads from the buffer and makes a stream only if one is asked for.
 * (Own properties on a Response, as its typings do not let a subclass turn its members into accessors.)
 */
function bufferedResponse(bytes: Buffer | null, init: ResponseInit): Response {
  const response = new Response(null, init);
  let used = false;
  const take = (): Buffer => {
    if (used) throw new TypeError('Body is unusable: it has already been read');
    used = true;
    return bytes ?? Buffer.alloc(0);
  };
  Object.defineProperties(response, {
    bodyUsed: { get: () => used },
    body: {
      get: () => {
        if (bytes === null || used) return null;
        used = true;
        return new Blob([bytes]).stream();
      },
    },
    arrayBuffer: {
      value: async () => {
        const b = take();
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      },
    },
    text: { value: async () => take().toString('utf8') },
    json: { value: async () => JSON.parse(take().toString('utf8')) as unknown },
    blob: { value: async () => new Blob([take()], { type: response.headers.get('content-type') ?? '' }) },
  });
  return response;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
