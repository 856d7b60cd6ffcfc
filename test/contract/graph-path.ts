import { shortName, type Model, type OperationDef } from './description';

/** What a request path addresses, in the description's terms. */
export interface Resolved {
  /** Canonical form with keys as placeholders: `/users/{id}/retryServiceProvisioning`. */
  readonly template: string;
  readonly target: 'collection' | 'entity' | 'operation' | 'batch' | 'count';
  /** The entity type (element type for a collection); absent for a batch. */
  readonly type?: string;
  readonly operation?: OperationDef;
}

/** Why a path does not resolve. */
export class PathError extends Error {}

interface Segment {
  readonly name: string;
  /** `users('x')` or `users(x)` → key; `servicePrincipals(appId='x')` → alternate key alias. */
  readonly key?: { readonly alias?: string };
}

function parseSegment(raw: string): Segment {
  const m = /^([^()]+)\((.*)\)$/.exec(raw);
  if (!m) return { name: raw };
  const alt = /^([A-Za-z]\w*)=/.exec(m[2] ?? '');
  return { name: m[1] ?? '', key: alt?.[1] ? { alias: alt[1] } : {} };
}

function looksLikeTypeName(segment: string): boolean {
  return /^microsoft\.graph\.[A-Za-z.]+$/.test(segment);
}

interface State {
  readonly target: 'collection' | 'entity';
  readonly type: string;
  readonly template: string;
}

function applyKey(model: Model, state: State, key: { alias?: string }): State {
  if (key.alias === undefined)
    return { target: 'entity', type: state.type, template: `${state.template}/{id}` };
  if (!model.alternateKeys(state.type).includes(key.alias)) {
    throw new PathError(`${shortName(state.type)} has no alternate key '${key.alias}'`);
  }
  return {
    target: 'entity',
    type: state.type,
    template: `${state.template}(${key.alias}={${key.alias}})`,
  };
}

function cast(model: Model, state: State, typeName: string): State {
  if (!model.type(typeName)) throw new PathError(`no type ${typeName} in the description`);
  if (!model.isA(typeName, state.type)) {
    throw new PathError(`${shortName(typeName)} does not derive from ${shortName(state.type)}`);
  }
  return { ...state, type: typeName, template: `${state.template}/${typeName}` };
}

/**
 * Resolves a request path (decoded segments, version removed) against one version of the description,
 * following OData's URL conventions: entity set or singleton, key or alternate key, navigation property,
 * type cast, bound action or function. Throws PathError naming the segment that does not resolve.
 */
export function resolvePath(model: Model, segments: readonly string[]): Resolved {
  const [first, ...rest] = segments;
  if (first === undefined) throw new PathError('the path is empty');
  if (first === '$batch' && rest.length === 0) return { template: '/$batch', target: 'batch' };
  const head = parseSegment(first);
  let state: State;
  const setType = model.d.entitySets[head.name];
  const singletonType = model.d.singletons[head.name];
  if (setType) state = { target: 'collection', type: setType, template: `/${head.name}` };
  else if (singletonType) state = { target: 'entity', type: singletonType, template: `/${head.name}` };
  else throw new PathError(`no entity set or singleton named '${head.name}' in ${model.version}`);
  if (head.key) {
    if (!setType) throw new PathError(`'${head.name}' is a singleton and takes no key`);
    state = applyKey(model, state, head.key);
  }

  for (let i = 0; i < rest.length; i++) {
    const seg = parseSegment(rest[i] ?? '');
    const last = i === rest.length - 1;
    if (looksLikeTypeName(seg.name)) {
      state = cast(model, state, seg.name);
      if (seg.key) state = applyKey(model, state, seg.key);
      continue;
    }
    const collection = state.target === 'collection';
    const [op, ...more] = model.operations(seg.name, state.type, collection);
    if (op) {
      if (more.length > 0 && more.some((m) => m.kind !== op.kind)) {
        throw new PathError(`'${seg.name}' is ambiguous on ${shortName(state.type)}`);
      }
      if (!last) throw new PathError(`nothing can follow the ${op.kind} '${seg.name}'`);
      return {
        template: `${state.template}/${seg.name}`,
        target: 'operation',
        type: state.type,
        operation: op,
      };
    }
    if (collection) {
      if (seg.name === '$count') {
        if (!last) throw new PathError('nothing can follow $count');
        return { template: `${state.template}/$count`, target: 'count', type: state.type };
      }
      state = applyKey(model, state, seg.key ?? {});
      continue;
    }
    const nav = model.navigation(state.type, seg.name);
    if (nav) {
      if (!model.type(nav.type) && !model.isOpaque(nav.type)) {
        throw new PathError(
          `${shortName(nav.type)} (target of ${seg.name}) is not in the vendored description`,
        );
      }
      state = {
        target: nav.collection ? 'collection' : 'entity',
        type: nav.type,
        template: `${state.template}/${seg.name}`,
      };
      if (seg.key) state = applyKey(model, state, seg.key);
      continue;
    }
    if (model.property(state.type, seg.name)) {
      throw new PathError(
        `'${seg.name}' is a property of ${shortName(state.type)}; the product reads whole entities`,
      );
    }
    throw new PathError(
      `${shortName(state.type)} has no navigation property, bound action or function named '${seg.name}'`,
    );
  }
  return { template: state.template, target: state.target, type: state.type };
}

/** The methods OData allows on what a path addresses (writes the product never makes are left out). */
export function allowedMethods(resolved: Resolved): readonly string[] {
  switch (resolved.target) {
    case 'operation':
      return resolved.operation?.kind === 'action' ? ['POST'] : ['GET'];
    case 'batch':
      return ['POST'];
    default:
      return ['GET'];
  }
}
