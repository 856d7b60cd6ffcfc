import type { GraphApi } from './graph-api';
import { GraphFailure } from './graph-failure';
import { eq, isGuid, segment } from './odata';

/** A user's service provisioning error as Graph reports it (serviceProvisioningXmlError). */
export interface ServiceProvisioningError {
  readonly createdDateTime?: string;
  readonly isResolved?: boolean;
  readonly serviceInstance?: string;
  readonly errorDetail?: string | null;
}

/** A user's licence assignment state; `error` is null when the licence was assigned successfully. */
export interface LicenseAssignmentState {
  readonly skuId?: string;
  readonly state?: string;
  readonly error?: string | null;
  readonly assignedByGroup?: string | null;
  /** Service plans of the product turned off in this assignment. */
  readonly disabledPlans?: readonly string[];
  readonly lastUpdatedDateTime?: string;
}

/** The user properties the remediations show and act on. */
export interface DirectoryUser {
  readonly id: string;
  readonly displayName?: string;
  readonly userPrincipalName?: string;
  readonly mail?: string | null;
  readonly accountEnabled?: boolean;
  /** Where the user works (ISO 3166 code); licences are offered per country. */
  readonly usageLocation?: string | null;
  readonly serviceProvisioningErrors?: readonly ServiceProvisioningError[];
  readonly licenseAssignmentStates?: readonly LicenseAssignmentState[];
}

const USER_FIELDS = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'accountEnabled',
  'usageLocation',
  'serviceProvisioningErrors',
  'licenseAssignmentStates',
].join(',');

/** True when Graph says the object is not there (404, or 400 for an id that cannot exist). */
export function isMissing(err: unknown): boolean {
  return (
    err instanceof GraphFailure &&
    (err.status === 404 || (err.status === 400 && /invalid|malformed|BadRequest/i.test(err.code)))
  );
}

/** The most matches a pick list offers; name look-ups read one more, to know when there are more. */
export const PICK_LIST_SIZE = 10;

/** "3", or "More than 10" when a look-up found more matches than a pick list offers. */
export function matchCount(found: number): string {
  return found > PICK_LIST_SIZE ? `More than ${PICK_LIST_SIZE}` : String(found);
}

/** What a pick list adds when a look-up found more matches than it offers; nothing otherwise. */
export function unlistedMatches(found: number): string {
  return found > PICK_LIST_SIZE
    ? ` The first ${PICK_LIST_SIZE} are listed; if the one you mean is not among them, name it by its id.`
    : '';
}

/**
 * Finds users by object id, UPN or display name. Several matches are returned (up to one more than a pick
 * list offers) so the caller can ask which one; the bot never guesses.
 */
export async function findUsers(graph: GraphApi, query: string): Promise<DirectoryUser[]> {
  const q = query.trim();
  if (isGuid(q) || q.includes('@')) {
    try {
      return [await graph.get<DirectoryUser>(`/users/${segment(q)}`, { query: { $select: USER_FIELDS } })];
    } catch (err) {
      if (!isMissing(err)) throw err;
      if (isGuid(q)) return [];
    }
    return graph.list<DirectoryUser>('/users', {
      query: { $filter: `${eq('mail', q)} or ${eq('userPrincipalName', q)}`, $select: USER_FIELDS },
      maxItems: PICK_LIST_SIZE + 1,
    });
  }
  return graph.list<DirectoryUser>('/users', {
    query: { $filter: eq('displayName', q), $select: USER_FIELDS },
    maxItems: PICK_LIST_SIZE + 1,
  });
}

/** A service principal: the enterprise application a provisioning job belongs to. */
export interface ServicePrincipal {
  readonly id: string;
  readonly appId?: string;
  readonly displayName?: string;
}

const SP_FIELDS = 'id,appId,displayName';

/** Finds enterprise applications by object id, appId or display name. */
export async function findServicePrincipals(graph: GraphApi, query: string): Promise<ServicePrincipal[]> {
  const q = query.trim();
  if (isGuid(q)) {
    for (const path of [`/servicePrincipals/${segment(q)}`, `/servicePrincipals(appId='${segment(q)}')`]) {
      try {
        return [await graph.get<ServicePrincipal>(path, { query: { $select: SP_FIELDS } })];
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    return [];
  }
  return graph.list<ServicePrincipal>('/servicePrincipals', {
    query: { $filter: eq('displayName', q), $select: SP_FIELDS },
    maxItems: PICK_LIST_SIZE + 1,
  });
}

/** One line naming a user for cards and pick lists. */
export function describeUser(user: DirectoryUser): string {
  return `${user.displayName ?? '(no name)'} (${user.userPrincipalName ?? user.id})`;
}
