import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Graph API version. */
export type Version = 'v1.0' | 'beta';

/** A structural or navigation property: its type's full name, whether it is a collection, and nullability. */
export interface PropertyDef {
  readonly type: string;
  readonly collection?: true;
  /** CSDL Nullable="false"; absent means nullable, as in CSDL. */
  readonly nonNullable?: true;
}

/** An entity, complex or enum type of the description. */
export interface TypeDef {
  readonly kind: 'entity' | 'complex' | 'enum';
  readonly base?: string;
  readonly abstract?: true;
  readonly open?: true;
  readonly properties?: Readonly<Record<string, PropertyDef>>;
  readonly navigation?: Readonly<Record<string, PropertyDef>>;
  /** Alternate keys (Org.OData.Core.V1.AlternateKeys), by alias, e.g. servicePrincipals(appId='…'). */
  readonly alternateKeys?: readonly string[];
  /** Enum members, spelled as the description spells them. */
  readonly members?: readonly string[];
  readonly flags?: true;
}

/** A bound action or function: what it binds to, its parameters (binding parameter excluded) and its result. */
export interface OperationDef {
  readonly kind: 'action' | 'function';
  readonly name: string;
  readonly binding: string;
  readonly bindingCollection?: true;
  readonly parameters: Readonly<Record<string, PropertyDef>>;
  readonly returns?: PropertyDef;
}

/** One version's slice of Graph's published metadata. */
export interface VersionDescription {
  readonly entitySets: Readonly<Record<string, string>>;
  readonly singletons: Readonly<Record<string, string>>;
  readonly types: Readonly<Record<string, TypeDef>>;
  readonly operations: readonly OperationDef[];
  /**
   * Types the vendored slice names but does not describe (reached only through properties the product never
   * reads): a value of such a type is accepted as any JSON object or string.
   */
  readonly opaque: readonly string[];
}

/** Where one version's slice came from. */
export interface SourceFile {
  readonly repository: string;
  readonly file: string;
  readonly commit: string;
  readonly note?: string;
}

/** The vendored description: test/contract/graph-description.json, written by `npm run graph:contract`. */
export interface GraphDescription {
  readonly generatedBy: string;
  readonly sources: Readonly<Record<Version, SourceFile>>;
  readonly versions: Readonly<Record<Version, VersionDescription>>;
}

/** Where the generated description lives. */
export const DESCRIPTION_PATH = join(__dirname, 'graph-description.json');

let cached: GraphDescription | undefined;

/** The vendored description, read once per process. */
export function loadDescription(): GraphDescription {
  cached ??= JSON.parse(readFileSync(DESCRIPTION_PATH, 'utf8')) as GraphDescription;
  return cached;
}

/** Read-only questions about one version's types, shared by the path resolver and the value checker. */
export class Model {
  private readonly derived = new Map<string, string[]>();

  constructor(
    readonly version: Version,
    readonly d: VersionDescription,
  ) {
    for (const [name, t] of Object.entries(d.types)) {
      if (!t.base) continue;
      this.derived.set(t.base, [...(this.derived.get(t.base) ?? []), name]);
    }
  }

  type(name: string): TypeDef | undefined {
    return this.d.types[name];
  }

  isOpaque(name: string): boolean {
    return this.d.opaque.includes(name);
  }

  /** The type and its base types, most derived first. */
  chain(name: string): string[] {
    const out: string[] = [];
    for (let t: string | undefined = name; t && !out.includes(t); t = this.d.types[t]?.base) out.push(t);
    return out;
  }

  /** True when `candidate` is `type` or derives from it. */
  isA(candidate: string, type: string): boolean {
    return this.chain(candidate).includes(type);
  }

  /** A structural property of the type or of one of its base types. */
  property(type: string, name: string): PropertyDef | undefined {
    for (const t of this.chain(type)) {
      const p = this.d.types[t]?.properties?.[name];
      if (p) return p;
    }
    return undefined;
  }

  /** A navigation property of the type or of one of its base types. */
  navigation(type: string, name: string): PropertyDef | undefined {
    for (const t of this.chain(type)) {
      const p = this.d.types[t]?.navigation?.[name];
      if (p) return p;
    }
    return undefined;
  }

  /** Every structural property name of the type, base types included. */
  propertyNames(type: string): string[] {
    return this.chain(type).flatMap((t) => Object.keys(this.d.types[t]?.properties ?? {}));
  }

  alternateKeys(type: string): string[] {
    return this.chain(type).flatMap((t) => [...(this.d.types[t]?.alternateKeys ?? [])]);
  }

  /**
   * Bound operations named `name` that apply to a value of `type` (bound to it or to a base type), the most
   * derived binding first: OData binds an overload for the type itself before one for its base (users' delta
   * returns users, not directory objects).
   */
  operations(name: string, type: string, collection: boolean): OperationDef[] {
    const chain = this.chain(type);
    return this.d.operations
      .filter(
        (o) => o.name === name && (o.bindingCollection ?? false) === collection && chain.includes(o.binding),
      )
      .sort((a, b) => chain.indexOf(a.binding) - chain.indexOf(b.binding));
  }
}

/** Short type name for messages: `microsoft.graph.user` → `user`. */
export function shortName(type: string): string {
  return type.replace(/^microsoft\.graph\./, '');
}
