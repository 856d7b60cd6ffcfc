import { Model, type OperationDef, type TypeDef, type Version, type VersionDescription } from './description';
import { resolvePath } from './graph-path';
import type { GraphCall } from './graph-surface';

function primitive(type: string): boolean {
  return type.startsWith('Edm.');
}

/** The path template's segments, with placeholders as stand-in keys: `/users/{id}` → ['users', '{id}']. */
function segmentsOf(template: string): string[] {
  return template.split('/').filter(Boolean);
}

/**
 * Cuts the slice of a full description the product needs: the entity sets and singletons its calls start
 * from, every type along their paths (with base types), the types of those types' properties (recursively,
 * with derived complex types, since values name them in @odata.type), expanded navigation targets, and the
 * bound operations the calls invoke. Types the source names but does not define become `opaque`.
 */
export function sliceDescription(
  full: VersionDescription,
  version: Version,
  calls: readonly GraphCall[],
): VersionDescription {
  const model = new Model(version, full);
  const types = new Map<string, TypeDef>();
  const opaque = new Set<string>();
  const operations: OperationDef[] = [];
  const entitySets: Record<string, string> = {};
  const singletons: Record<string, string> = {};
  const derived = new Map<string, string[]>();
  for (const [name, t] of Object.entries(full.types)) {
    if (t.base) derived.set(t.base, [...(derived.get(t.base) ?? []), name]);
  }

  const include = (name: string): void => {
    if (primitive(name) || types.has(name) || opaque.has(name)) return;
    const t = full.types[name];
    if (!t) {
      opaque.add(name);
      return;
    }
    types.set(name, t);
    if (t.base) include(t.base);
    for (const p of Object.values(t.properties ?? {})) include(p.type);
    if (t.kind === 'complex') for (const d of derived.get(name) ?? []) include(d);
  };

  for (const call of calls.filter((c) => c.version === version)) {
    const segments = segmentsOf(call.path);
    if (segments[0] === '$batch') continue;
    const head = (segments[0] ?? '').replace(/\(.*$/, '');
    if (full.entitySets[head]) entitySets[head] = full.entitySets[head] ?? '';
    if (full.singletons[head]) singletons[head] = full.singletons[head] ?? '';
    for (let i = 1; i <= segments.length; i++) {
      const resolved = resolvePath(model, segments.slice(0, i));
      if (resolved.type) include(resolved.type);
      if (resolved.operation && !operations.includes(resolved.operation)) {
        operations.push(resolved.operation);
        for (const p of Object.values(resolved.operation.parameters)) include(p.type);
        if (resolved.operation.returns) include(resolved.operation.returns.type);
      }
    }
    const end = resolvePath(model, segments);
    for (const nav of call.expand ?? []) {
      const target = end.type ? model.navigation(end.type, nav) : undefined;
      if (!target) throw new Error(`${call.path}: no navigation property ${nav} to expand`);
      include(target.type);
    }
  }
  const sortedTypes = Object.fromEntries([...types.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return {
    entitySets,
    singletons,
    types: sortedTypes,
    operations: operations.sort((a, b) => `${a.binding}/${a.name}`.localeCompare(`${b.binding}/${b.name}`)),
    opaque: [...opaque].sort(),
  };
}
