import { PAGES, type ContractRequest, type Violation } from './contract-request';
import type { Version } from './description';

const MAX_BATCH = 20;

/**
 * JSON batching's rules for a `$batch` body (at most 20 requests, unique ids, relative urls, a Content-Type
 * with every body), and each item held to the request rules through `check`, marked as a batch item.
 */
export function checkBatch(
  version: Version,
  req: ContractRequest,
  check: (item: ContractRequest) => Violation[],
): Violation[] {
  const page = PAGES.batching;
  const requests = (req.body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    return [{ rule: 'batch', message: 'the body needs a non-empty requests array', page }];
  }
  const out: Violation[] = [];
  if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) {
    out.push({ rule: 'batch', message: 'the batch is sent without Content-Type: application/json', page });
  }
  if (requests.length > MAX_BATCH) {
    out.push({
      rule: 'batch',
      message: `${requests.length} requests; a batch holds at most ${MAX_BATCH}`,
      page,
    });
  }
  const ids = new Set<string>();
  for (const raw of requests as unknown[]) {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const id = item['id'];
    if (typeof id !== 'string' || id === '') {
      out.push({ rule: 'batch', message: 'a request without a string id', page });
      continue;
    }
    if (ids.has(id)) out.push({ rule: 'batch', message: `id ${id} is used twice`, page });
    ids.add(id);
    out.push(
      ...checkBatchItem(version, id, item, ids, check).map((v) => ({
        ...v,
        message: `request ${id}: ${v.message}`,
      })),
    );
  }
  return out;
}

function checkBatchItem(
  version: Version,
  id: string,
  item: Record<string, unknown>,
  seen: Set<string>,
  check: (item: ContractRequest) => Violation[],
): Violation[] {
  const page = PAGES.batching;
  const out: Violation[] = [];
  const url = item['url'];
  const method = item['method'];
  if (typeof method !== 'string' || !/^(GET|POST|PATCH|PUT|DELETE)$/.test(method)) {
    out.push({ rule: 'batch', message: `method ${String(method)} is not an HTTP method`, page });
  }
  if (typeof url !== 'string' || /^[a-z]+:/i.test(url) || /^\/?(v1\.0|beta)\//.test(url)) {
    out.push({
      rule: 'batch',
      message: `url ${String(url)} must be relative to the batch's version`,
      page,
    });
    return out;
  }
  const depends = item['dependsOn'];
  if (
    depends !== undefined &&
    (!Array.isArray(depends) || depends.some((d) => typeof d !== 'string' || !seen.has(d) || d === id))
  ) {
    out.push({ rule: 'batch', message: 'dependsOn must name earlier requests of the batch', page });
  }
  const headers = item['headers'];
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers))) {
    out.push({ rule: 'batch', message: 'headers must be a JSON object', page });
  }
  const lower = Object.fromEntries(
    Object.entries((headers ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  const parsed = new URL(url.replace(/^\/?/, '/'), 'https://graph.invalid');
  const nested: ContractRequest = {
    method: typeof method === 'string' ? method : 'GET',
    version,
    segments: parsed.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s)),
    query: Object.fromEntries(parsed.searchParams),
    headers: lower,
    body: item['body'],
    hasBody: 'body' in item,
    inBatch: true,
  };
  if (nested.hasBody && !lower['content-type']) {
    out.push({ rule: 'batch-item', message: 'a body without a Content-Type header', page });
  }
  out.push(...check(nested));
  return out;
}
