import { shortName, type Model, type PropertyDef } from './description';

/** One way a JSON value departs from its declared type; `at` is a JSON path such as `value[2].state`. */
export interface ValueIssue {
  readonly at: string;
  readonly message: string;
}

/** What the request asked for, which limits what an entity in the answer may carry. */
export interface Shape {
  /** `$select`: only these properties (and annotations) may appear. */
  readonly select?: ReadonlySet<string>;
  /** `$expand`: the navigation properties that may appear. */
  readonly expand?: ReadonlySet<string>;
}

const PRIMITIVES: Readonly<Record<string, (v: unknown) => boolean>> = {
  'Edm.String': (v) => typeof v === 'string',
  'Edm.Boolean': (v) => typeof v === 'boolean',
  'Edm.Int16': Number.isInteger,
  'Edm.Int32': Number.isInteger,
  'Edm.Int64': Number.isInteger,
  'Edm.Byte': Number.isInteger,
  'Edm.Double': (v) => typeof v === 'number' || v === 'NaN' || v === 'INF' || v === '-INF',
  'Edm.Single': (v) => typeof v === 'number',
  'Edm.Decimal': (v) => typeof v === 'number',
  'Edm.Guid': (v) => typeof v === 'string' && /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(v),
  'Edm.DateTimeOffset': (v) =>
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/.test(v),
  'Edm.Date': (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  'Edm.TimeOfDay': (v) => typeof v === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/.test(v),
  'Edm.Duration': (v) => typeof v === 'string' && /^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(v),
  'Edm.Binary': (v) => typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v),
  'Edm.Stream': () => true,
  'Edm.Untyped': () => true,
  'Edm.PrimitiveType': () => true,
};

const ODATA_TYPE = '@odata.type';

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"` : String(v);
}

/**
 * Checks a JSON value against a declared type of the description: primitives by Edm type, enums by their
 * members as spelled there, complex and entity values property by property (no property the type lacks,
 * Nullable="false" honoured, `@odata.type` naming the type or a derived one), collections item by item.
 */
export class ValueChecker {
  constructor(private readonly model: Model) {}

  check(def: PropertyDef, value: unknown, at: string, shape: Shape = {}): ValueIssue[] {
    if (value === null) {
      if (def.collection)
        return [{ at, message: 'is null; a collection is never null in OData (empty is [])' }];
      return def.nonNullable
        ? [{ at, message: 'is null, but the description declares it Nullable="false"' }]
        : [];
    }
    if (def.collection) {
      if (!Array.isArray(value)) return [{ at, message: `should be an array, not ${describe(value)}` }];
      return value.flatMap((item, i) =>
        item === null && def.nonNullable
          ? [{ at: `${at}[${i}]`, message: 'is null inside a collection declared Nullable="false"' }]
          : this.check({ type: def.type }, item, `${at}[${i}]`, shape),
      );
    }
    return this.single(def.type, value, at, shape);
  }

  private single(type: string, value: unknown, at: string, shape: Shape): ValueIssue[] {
    const primitive = PRIMITIVES[type];
    if (primitive) {
      return primitive(value) ? [] : [{ at, message: `should be ${type}, not ${describe(value)}` }];
    }
    if (this.model.isOpaque(type)) return [];
    const t = this.model.type(type);
    if (!t) return [{ at, message: `has type ${shortName(type)}, which is not in the vendored description` }];
    if (t.kind === 'enum') {
      const members = t.members ?? [];
      const ok =
        typeof value === 'string' &&
        (t.flags ? value.split(',').every((m) => members.includes(m.trim())) : members.includes(value));
      return ok
        ? []
        : [
            {
              at,
              message: `${describe(value)} is not a member of ${shortName(type)} (${members.join(', ')})`,
            },
          ];
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      return [{ at, message: `should be a ${shortName(type)} object, not ${describe(value)}` }];
    }
    return this.structured(type, value as Record<string, unknown>, at, shape);
  }

  private structured(
    declared: string,
    value: Record<string, unknown>,
    at: string,
    shape: Shape,
  ): ValueIssue[] {
    const issues: ValueIssue[] = [];
    let type = declared;
    const odataType = value[ODATA_TYPE];
    if (odataType !== undefined) {
      const named = typeof odataType === 'string' ? odataType.replace(/^#/, '') : '';
      if (!this.model.type(named) && !this.model.isOpaque(named)) {
        issues.push({
          at: `${at}.${ODATA_TYPE}`,
          message: `names ${describe(odataType)}, not a type of the description`,
        });
      } else if (!this.model.isA(named, declared)) {
        issues.push({
          at: `${at}.${ODATA_TYPE}`,
          message: `${shortName(named)} does not derive from ${shortName(declared)}`,
        });
      } else {
        type = named;
      }
    }
    if (this.model.isOpaque(type)) return issues;
    const def = this.model.type(type);
    if (def?.abstract && odataType === undefined) {
      issues.push({ at, message: `${shortName(type)} is abstract: the value must say its @odata.type` });
    }
    const entity = def?.kind === 'entity';
    for (const [name, v] of Object.entries(value)) {
      if (name.startsWith('@') || name.includes('@odata.')) continue;
      const where = `${at}.${name}`;
      const prop = this.model.property(type, name);
      if (prop) {
        if (entity && shape.select && !shape.select.has(name)) {
          issues.push({ at: where, message: 'is in the answer although $select did not ask for it' });
        }
        issues.push(...this.check(prop, v, where));
        continue;
      }
      const nav = this.model.navigation(type, name);
      if (nav) {
        if (!shape.expand?.has(name)) {
          issues.push({
            at: where,
            message: 'is a navigation property, returned only when $expand names it',
          });
        }
        issues.push(
          ...this.check(nav.collection ? { type: nav.type, collection: true } : { type: nav.type }, v, where),
        );
        continue;
      }
      issues.push({ at: where, message: `is not a property of ${shortName(type)}` });
    }
    return issues;
  }
}
