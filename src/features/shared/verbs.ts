/**
 * Every card button's verb, once. The card templates take theirs from here (`${$root.verbs.approve}`: the
 * renderer hands this table to every template) and the handlers register theirs from here, so a button and
 * the handler it reaches cannot drift apart.
 */
export const VERBS = {
  approve: 'approve',
  retryAnyway: 'retry-anyway',
  reject: 'reject',
  cancel: 'cancel',
  pick: 'pick',
  refresh: 'refresh',
  remediate: 'remediate',
  remediateAll: 'remediate-all',
  bulkRetry: 'bulk-retry',
  bulkResume: 'bulk-resume',
  historyMore: 'history-more',
  diagnose: 'diagnose',
  runSuggestion: 'run-suggestion',
} as const;

/** A verb some card button sends. */
export type Verb = (typeof VERBS)[keyof typeof VERBS];
