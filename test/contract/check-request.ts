import { checkBatch } from './check-batch';
import { descriptionPage, PAGES, type ContractRequest, type Violation } from './contract-request';
import { Model, shortName, type GraphDescription, type Version } from './description';
import { ValueChecker } from './edm-values';
import { allowedMethods, PathError, resolvePath, type Resolved } from './graph-path';
import { surfaceCall } from './graph-surface';
import { FilterSyntaxError, parseFilter, propertyUses } from './odata-filter';
import { collectionRule, propertyRule, type QueryCapabilities } from './query-capabilities';

const DIRECTORY_OBJECT = 'microsoft.graph.directoryObject';
const KNOWN_OPTIONS = new Set([
  '$select',
  '$expand',
  '$filter',
  '$orderby',
  '$top',
  '$count',
  '$skiptoken',
  '$deltatoken',
  '$search',
]);

/**
 * What a function answering a collection of entities takes: delta query's $select on the first request, then
 * the state tokens of its links (delta-query-overview: "$expand, $top and $orderby are not supported" for users
 * and groups; the only $filter is on ids, which the product does not use).
 */
const ENTITY_FUNCTION_OPTIONS = new Set(['$select', '$skiptoken', '$deltatoken']);

function names(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\(.*$/, ''))
    .filter(Boolean);
}

/** Everything a request does wrong against the description, the capability table and the batching rules. */
export class RequestChecker {
  private readonly models: Record<Version, Model>;

  constructor(
    private readonly description: GraphDescription,
    private readonly capabilities: QueryCapabilities,
  ) {
    this.models = {
      'v1.0': new Model('v1.0', description.versions['v1.0']),
      beta: new Model('beta', description.versions.beta),
    };
  }

  model(version: Version): Model {
    return this.models[version];
  }

  /** Resolves the request's path; undefined (with a violation) when it does not resolve. */
  resolve(req: ContractRequest): { resolved?: Resolved; violations: Violation[] } {
    if (!req.version) {
      return {
        violations: [
          {
            rule: 'version',
            message: 'the path does not start with /v1.0 or /beta',
            page: PAGES.urlConventions,
          },
        ],
      };
    }
    try {
      return { resolved: resolvePath(this.models[req.version], req.segments), violations: [] };
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      return {
        violations: [
          { rule: 'path', message: err.message, page: descriptionPage(this.description, req.version) },
        ],
      };
    }
  }

  check(req: ContractRequest): { resolved?: Resolved; violations: Violation[] } {
    const { resolved, violations } = this.resolve(req);
    if (!resolved || !req.version) return { violations };
    const version = req.version;
    const page = descriptionPage(this.description, version);
    const out: Violation[] = [...violations];
    if (!allowedMethods(resolved).includes(req.method)) {
      out.push({
        rule: 'method',
        message: `${req.method} is not what ${resolved.template} takes (${allowedMethods(resolved).join(', ')})`,
        page,
      });
    }
    if (resolved.target === 'batch') {
      if (req.inBatch)
        out.push({ rule: 'batch', message: 'a batch cannot hold a batch', page: PAGES.batching });
      else out.push(...checkBatch(version, req, (nested) => this.check(nested).violations));
      return { resolved, violations: out };
    }
    out.push(...this.checkQuery(version, resolved, req));
    out.push(...this.checkBody(version, resolved, req));
    return { resolved, violations: out };
  }

  private checkQuery(version: Version, resolved: Resolved, req: ContractRequest): Violation[] {
    const out: Violation[] = [];
    const model = this.models[version];
    const page = descriptionPage(this.description, version);
    const type = resolved.type;
    for (const key of Object.keys(req.query)) {
      if (!KNOWN_OPTIONS.has(key)) {
        out.push({ rule: 'query', message: `unknown query option '${key}'`, page: PAGES.queryParameters });
      }
    }
    if (resolved.target === 'operation') {
      const op = resolved.operation;
      const returned = op?.kind === 'function' && op.returns?.collection ? op.returns.type : undefined;
      const entities = returned !== undefined && model.type(returned)?.kind === 'entity';
      const used = Object.keys(req.query).filter((k) => !entities || !ENTITY_FUNCTION_OPTIONS.has(k));
      if (used.length > 0) {
        out.push({
          rule: 'query',
          message: `${used.join(', ')} on a ${op?.kind}`,
          page: PAGES.queryParameters,
        });
      }
      for (const name of entities && returned ? names(req.query['$select']) : []) {
        if (!this.selectable(model, returned ?? '', name)) {
          out.push({
            rule: '$select',
            message: `${shortName(returned ?? '')} has no property '${name}'`,
            page,
          });
        }
      }
      return out;
    }
    if (!type) return out;
    for (const name of names(req.query['$select'])) {
      if (!this.selectable(model, type, name)) {
        out.push({ rule: '$select', message: `${shortName(type)} has no property '${name}'`, page });
      }
    }
    for (const name of names(req.query['$expand'])) {
      if (!model.navigation(type, name)) {
        out.push({
          rule: '$expand',
          message: `${shortName(type)} has no navigation property '${name}'`,
          page,
        });
      }
    }
    const collection = collectionRule(this.capabilities, version, resolved.template);
    const top = req.query['$top'];
    if (top !== undefined) {
      const n = Number(top);
      if (resolved.target !== 'collection') {
        out.push({ rule: '$top', message: '$top on a single entity', page: PAGES.queryParameters });
      } else if (!collection?.top) {
        out.push({
          rule: '$top',
          message: `no row of the capability table says ${resolved.template} supports $top`,
          page: PAGES.queryParameters,
        });
      } else if (!Number.isInteger(n) || n < 1 || n > (collection.top.max ?? Number.MAX_SAFE_INTEGER)) {
        out.push({
          rule: '$top',
          message: `$top=${top} is outside 1..${collection.top.max ?? 'a positive integer'}`,
          page: collection.page,
        });
      }
    }
    const eventual = /^eventual$/i.test(req.headers['consistencylevel'] ?? '');
    const counted = req.query['$count'] === 'true';
    if (collection?.advanced === 'required' && !(eventual && counted)) {
      out.push({
        rule: 'advanced-query',
        message: `${resolved.template} answers only advanced queries: send ConsistencyLevel: eventual and $count=true`,
        page: collection.page,
      });
    }
    if (eventual && !counted && resolved.target === 'collection' && req.query['$filter']) {
      out.push({
        rule: 'advanced-query',
        message: 'ConsistencyLevel: eventual without $count=true',
        page: PAGES.advancedQueries,
      });
    }
    for (const name of names(req.query['$orderby']).map((o) => o.split(/\s+/)[0] ?? '')) {
      const row = propertyRule(this.capabilities, version, resolved.template, name);
      if (!row?.orderby) {
        out.push({
          rule: '$orderby',
          message: `no row of the capability table allows $orderby on ${name}`,
          page: row?.page ?? PAGES.queryParameters,
        });
      }
    }
    const filter = req.query['$filter'];
    if (filter !== undefined) out.push(...this.checkFilter(version, resolved, filter, eventual && counted));
    return out;
  }

  private checkFilter(version: Version, resolved: Resolved, filter: string, advanced: boolean): Violation[] {
    const model = this.models[version];
    const type = resolved.type ?? '';
    const page = descriptionPage(this.description, version);
    if (resolved.target !== 'collection') {
      return [
        {
          rule: '$filter',
          message: '$filter on something that is not a collection',
          page: PAGES.queryParameters,
        },
      ];
    }
    let uses;
    try {
      uses = propertyUses(parseFilter(filter));
    } catch (err) {
      if (!(err instanceof FilterSyntaxError)) throw err;
      return [{ rule: '$filter', message: `not valid OData: ${err.message}`, page: PAGES.queryParameters }];
    }
    const out: Violation[] = [];
    for (const use of uses) {
      if (!this.pathExists(model, type, use.path)) {
        out.push({ rule: '$filter', message: `${shortName(type)} has no property path '${use.path}'`, page });
        continue;
      }
      const row = propertyRule(this.capabilities, version, resolved.template, use.path);
      if (!row) {
        out.push({
          rule: '$filter',
          message: `no row of the capability table covers ${use.path} on ${resolved.template}: add one from its API page`,
          page: PAGES.queryParameters,
        });
        continue;
      }
      if (!row.filter.includes(use.operator)) {
        out.push({
          rule: '$filter',
          message: `'${use.operator}' on ${use.path}: the page lists ${row.filter.join(', ') || 'no operator'}`,
          page: row.page,
        });
      }
      if (row.advanced === 'required' && !advanced) {
        out.push({
          rule: 'advanced-query',
          message: `${use.path} filters only as an advanced query (ConsistencyLevel: eventual and $count=true)`,
          page: row.page,
        });
      }
      if (row.advanced === 'refused' && advanced) {
        out.push({
          rule: 'advanced-query',
          message: `${use.path} filters only without ConsistencyLevel: eventual`,
          page: row.page,
        });
      }
    }
    return out;
  }

  /**
   * A property of the type, or, on a collection of directory objects (a group's members, its members with
   * licence errors), of a type derived from it: Graph's directory answers `$select=displayName` there, as
   * the group-list-members page shows.
   */
  private selectable(model: Model, type: string, name: string): boolean {
    if (model.property(type, name) || model.navigation(type, name)) return true;
    if (type !== DIRECTORY_OBJECT) return false;
    return Object.keys(model.d.types).some(
      (t) => t !== type && model.isA(t, type) && model.property(t, name),
    );
  }

  /** True when `a/b/c` names a property path of the type, through complex values and single navigations. */
  private pathExists(model: Model, type: string, path: string): boolean {
    let current = type;
    for (const seg of path.split('/')) {
      const def = model.property(current, seg) ?? model.navigation(current, seg);
      if (!def) return false;
      current = def.type;
    }
    return true;
  }

  private checkBody(version: Version, resolved: Resolved, req: ContractRequest): Violation[] {
    const page = descriptionPage(this.description, version);
    const op = resolved.operation;
    if (req.method === 'GET') {
      return req.hasBody
        ? [{ rule: 'body', message: 'a GET carries a body', page: PAGES.urlConventions }]
        : [];
    }
    if (!op || op.kind !== 'action') return [];
    const params = op.parameters;
    const out: Violation[] = [];
    const contentType = req.headers['content-type'] ?? '';
    if (req.inBatch) {
      if (!req.hasBody || !/^application\/json/i.test(contentType)) {
        out.push({
          rule: 'batch-item',
          message: `a POST item needs a body and Content-Type: application/json ({} when ${op.name} takes no parameters)`,
          page: PAGES.batching,
        });
      }
    } else if (Object.keys(params).length === 0) {
      const call = surfaceCall(version, req.method, resolved.template);
      if (call?.requestBody === 'empty-object') {
        const empty = typeof req.body === 'object' && req.body !== null && Object.keys(req.body).length === 0;
        if (!empty || !/^application\/json/i.test(contentType)) {
          out.push({
            rule: 'body',
            message: `${op.name}'s page asks for the body {} with Content-Type: application/json`,
            page: call.page,
          });
        }
      } else if (req.hasBody) {
        out.push({
          rule: 'body',
          message: `${op.name} takes no request body ("Don't supply a request body"), yet one was sent`,
          page: call?.page ?? page,
        });
      }
      return out;
    }
    if (!req.hasBody) {
      if (Object.keys(params).length > 0)
        out.push({ rule: 'body', message: `${op.name} needs a body with its parameters`, page });
      return out;
    }
    if (!/^application\/json/i.test(contentType)) {
      out.push({
        rule: 'body',
        message: 'a JSON body without Content-Type: application/json',
        page: PAGES.batching,
      });
    }
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      out.push({ rule: 'body', message: `${op.name}'s body must be a JSON object of its parameters`, page });
      return out;
    }
    const checker = new ValueChecker(this.models[version]);
    for (const [name, value] of Object.entries(body)) {
      const def = params[name];
      if (!def) {
        out.push({
          rule: 'body',
          message: `${op.name} has no parameter '${name}' (it takes ${Object.keys(params).join(', ') || 'none'})`,
          page,
        });
        continue;
      }
      for (const issue of checker.check(def, value, name)) {
        out.push({ rule: 'body', message: `${issue.at} ${issue.message}`, page });
      }
    }
    for (const [name, def] of Object.entries(params)) {
      if (def.nonNullable && !(name in body)) {
        out.push({ rule: 'body', message: `${op.name} requires the parameter '${name}'`, page });
      }
    }
    return out;
  }
}
