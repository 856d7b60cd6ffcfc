import { XMLParser } from 'fast-xml-parser';

import type { OperationDef, PropertyDef, TypeDef, VersionDescription } from './description';

type Node = Record<string, unknown>;

const REPEATED = new Set([
  'Schema',
  'EnumType',
  'Member',
  'ComplexType',
  'EntityType',
  'Property',
  'NavigationProperty',
  'Action',
  'Function',
  'Parameter',
  'EntitySet',
  'Singleton',
  'Annotation',
  'Record',
  'PropertyValue',
  'Collection',
]);

function list(node: unknown, key: string): Node[] {
  const value = (node as Node | undefined)?.[key];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function attr(node: Node, name: string): string | undefined {
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** Resolves `graph.user`, `self.alert` or `Collection(graph.x)` to a full name and collection flag. */
function typeRef(raw: string, aliases: ReadonlyMap<string, string>): { type: string; collection: boolean } {
  const m = /^Collection\((.+)\)$/.exec(raw);
  const inner = m?.[1] ?? raw;
  const dot = inner.lastIndexOf('.');
  const ns = inner.slice(0, dot);
  const type = `${aliases.get(ns) ?? ns}.${inner.slice(dot + 1)}`;
  return { type, collection: m !== null };
}

function propertyDef(node: Node, aliases: ReadonlyMap<string, string>): PropertyDef {
  const { type, collection } = typeRef(attr(node, 'Type') ?? 'Edm.Untyped', aliases);
  return {
    type,
    ...(collection ? { collection: true as const } : {}),
    ...(attr(node, 'Nullable') === 'false' ? { nonNullable: true as const } : {}),
  };
}

function alternateKeys(entity: Node): string[] {
  const keys: string[] = [];
  for (const a of list(entity, 'Annotation')) {
    if (attr(a, 'Term') !== 'Org.OData.Core.V1.AlternateKeys') continue;
    for (const c of list(a, 'Collection'))
      for (const r of list(c, 'Record'))
        for (const pv of list(r, 'PropertyValue'))
          for (const kc of list(pv, 'Collection'))
            for (const kr of list(kc, 'Record'))
              for (const kv of list(kr, 'PropertyValue')) {
                const alias = attr(kv, 'String');
                if (attr(kv, 'Property') === 'Alias' && alias) keys.push(alias);
              }
  }
  return keys;
}

function structured(node: Node, kind: 'entity' | 'complex', aliases: ReadonlyMap<string, string>): TypeDef {
  const base = attr(node, 'BaseType');
  const properties: Record<string, PropertyDef> = {};
  for (const p of list(node, 'Property')) properties[attr(p, 'Name') ?? ''] = propertyDef(p, aliases);
  const navigation: Record<string, PropertyDef> = {};
  for (const p of list(node, 'NavigationProperty'))
    navigation[attr(p, 'Name') ?? ''] = propertyDef(p, aliases);
  const keys = kind === 'entity' ? alternateKeys(node) : [];
  return {
    kind,
    ...(base ? { base: typeRef(base, aliases).type } : {}),
    ...(attr(node, 'Abstract') === 'true' ? { abstract: true as const } : {}),
    ...(attr(node, 'OpenType') === 'true' ? { open: true as const } : {}),
    properties,
    ...(Object.keys(navigation).length > 0 ? { navigation } : {}),
    ...(keys.length > 0 ? { alternateKeys: keys } : {}),
  };
}

function operation(node: Node, kind: 'action' | 'function', aliases: ReadonlyMap<string, string>) {
  if (attr(node, 'IsBound') !== 'true') return undefined;
  const [binding, ...rest] = list(node, 'Parameter');
  if (!binding) return undefined;
  const bound = typeRef(attr(binding, 'Type') ?? '', aliases);
  const parameters: Record<string, PropertyDef> = {};
  for (const p of rest) parameters[attr(p, 'Name') ?? ''] = propertyDef(p, aliases);
  const ret = (node['ReturnType'] as Node | undefined) ?? undefined;
  const op: OperationDef = {
    kind,
    name: attr(node, 'Name') ?? '',
    binding: bound.type,
    ...(bound.collection ? { bindingCollection: true as const } : {}),
    parameters,
    ...(ret ? { returns: propertyDef(ret, aliases) } : {}),
  };
  return op;
}

/**
 * Reads a CSDL document (Graph's published `$metadata`) into the description's shape: every entity set,
 * singleton, type and bound operation of every schema, with type names fully qualified.
 */
export function readCsdl(xml: string): VersionDescription {
  const parser = new XMLParser({
    ignoreAttributes: false,
    removeNSPrefix: true,
    isArray: (name) => REPEATED.has(name),
  });
  const doc = parser.parse(xml) as Node;
  const schemas = list((doc['Edmx'] as Node | undefined)?.['DataServices'], 'Schema');
  const aliases = new Map<string, string>();
  for (const s of schemas) {
    const ns = attr(s, 'Namespace') ?? '';
    aliases.set(ns, ns);
    const alias = attr(s, 'Alias');
    if (alias) aliases.set(alias, ns);
  }
  const types: Record<string, TypeDef> = {};
  const operations: OperationDef[] = [];
  const entitySets: Record<string, string> = {};
  const singletons: Record<string, string> = {};
  for (const s of schemas) {
    const ns = attr(s, 'Namespace') ?? '';
    for (const e of list(s, 'EnumType')) {
      types[`${ns}.${attr(e, 'Name')}`] = {
        kind: 'enum',
        members: list(e, 'Member').map((m) => attr(m, 'Name') ?? ''),
        ...(attr(e, 'IsFlags') === 'true' ? { flags: true as const } : {}),
      };
    }
    for (const c of list(s, 'ComplexType'))
      types[`${ns}.${attr(c, 'Name')}`] = structured(c, 'complex', aliases);
    for (const e of list(s, 'EntityType'))
      types[`${ns}.${attr(e, 'Name')}`] = structured(e, 'entity', aliases);
    for (const a of list(s, 'Action')) {
      const op = operation(a, 'action', aliases);
      if (op) operations.push(op);
    }
    for (const f of list(s, 'Function')) {
      const op = operation(f, 'function', aliases);
      if (op) operations.push(op);
    }
    const container = s['EntityContainer'] as Node | undefined;
    for (const es of list(container, 'EntitySet'))
      entitySets[attr(es, 'Name') ?? ''] = typeRef(attr(es, 'EntityType') ?? '', aliases).type;
    for (const si of list(container, 'Singleton'))
      singletons[attr(si, 'Name') ?? ''] = typeRef(attr(si, 'Type') ?? '', aliases).type;
  }
  return { entitySets, singletons, types, operations, opaque: [] };
}
