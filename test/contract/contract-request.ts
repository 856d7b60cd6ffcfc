import type { GraphDescription, Version } from './description';

/** A request as the contract sees it: what went over the wire, decoded. */
export interface ContractRequest {
  readonly method: string;
  readonly version: Version | undefined;
  /** Decoded path segments below the version. */
  readonly segments: readonly string[];
  /** Decoded query options. */
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body; undefined when none was sent. */
  readonly body: unknown;
  /** True when a body was sent at all (a direct request's text was not empty; a batch item had `body`). */
  readonly hasBody: boolean;
  /** Set for an item of a JSON batch: the item rules differ from a direct request's. */
  readonly inBatch?: boolean;
}

/** A rule a request or an answer breaks, and the published page that states the rule. */
export interface Violation {
  readonly rule: string;
  readonly message: string;
  readonly page: string;
}

/** Pages the generic rules come from. */
export const PAGES = {
  batching: 'https://learn.microsoft.com/graph/json-batching',
  queryParameters: 'https://learn.microsoft.com/graph/query-parameters',
  advancedQueries: 'https://learn.microsoft.com/graph/aad-advanced-queries',
  errors: 'https://learn.microsoft.com/graph/errors',
  urlConventions: 'https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html',
};

/** Where one version's description came from, for rules the description itself states. */
export function descriptionPage(description: GraphDescription, version: Version): string {
  const s = description.sources[version];
  return `${s.repository}/blob/${s.commit}/${s.file}`;
}
