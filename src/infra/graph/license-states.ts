import type { LicenseAssignmentState } from './directory-lookup';

/**
 * A licence assignment's error code, or undefined when it has none. The licenseAssignmentState page says
 * `error` is null when the licence was assigned successfully; tenants also answer "None", and a state read
 * without the property has none: all three mean no error, here and everywhere that reads the states.
 */
export function licenseErrorOf(state: LicenseAssignmentState): string | undefined {
  const code = state.error?.trim();
  return code && code.toLowerCase() !== 'none' ? code : undefined;
}

/** True when an assignment needs attention: it carries an error code, or its state is Error or ActiveWithError. */
export function isLicenseInError(state: LicenseAssignmentState): boolean {
  return licenseErrorOf(state) !== undefined || /error/i.test(state.state ?? '');
}

/** Names of products (by skuId) and groups (by id) where they were read; an id stands in for a missing one. */
export interface LicenceNames {
  readonly products: ReadonlyMap<string, string>;
  readonly groups: ReadonlyMap<string, string>;
}

/**
 * One licence state as a card line, e.g. `ENTERPRISEPREMIUM: Error (CountViolation), from group Licensing`, or
 * with the ids where no names were read.
 */
export function describeLicenseState(state: LicenseAssignmentState, names?: LicenceNames): string {
  const code = licenseErrorOf(state);
  const sku = state.skuId ?? 'unknown SKU';
  const group = state.assignedByGroup;
  const origin = group ? `, from group ${names?.groups.get(group) ?? group}` : ', direct';
  return `${names?.products.get(sku) ?? sku}: ${state.state ?? 'unknown'}${code ? ` (${code})` : ''}${origin}`;
}
