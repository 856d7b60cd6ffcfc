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

/** One licence state as a card line, e.g. `6fd2c87f…: Error (CountViolation), from group 1234…`. */
export function describeLicenseState(state: LicenseAssignmentState): string {
  const code = licenseErrorOf(state);
  const origin = state.assignedByGroup ? `, from group ${state.assignedByGroup}` : ', direct';
  return `${state.skuId ?? 'unknown SKU'}: ${state.state ?? 'unknown'}${code ? ` (${code})` : ''}${origin}`;
}
