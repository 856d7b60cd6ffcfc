/**
 * A failure as the knowledge table sees it: its family and whatever the source said about it. Each field is
 * what the source calls it: `service` a serviceProvisioningError's workload (`exchange`, `sharepoint`) or an
 * app; `code` an ErrorRecord's ErrorCode, a licenseAssignmentState's error, a Cloud PC statusDetail code, an
 * access package request's state or a provisioning step's errorCode; `text` the error's description.
 */
export interface FailureSignal {
  readonly kind: string;
  readonly service?: string;
  readonly code?: string;
  readonly text?: string;
}

/** The Graph reads that gather a known failure's facts for one target (diagnosis-facts.ts). */
export type FactReader = 'address-holder' | 'sku-seats' | 'sku-product';

/**
 * One known failure pattern, kept as data beside the remediation that meets it. Every field of `recognise`
 * that is given must match; `samples` are failures as Microsoft documents or services publish them, and a
 * test holds each entry to recognising its own samples.
 */
export interface KnowledgeEntry {
  readonly id: string;
  readonly kind: string;
  readonly recognise: {
    readonly service?: RegExp;
    readonly code?: RegExp;
    readonly text?: RegExp;
  };
  /** The cause, in plain words. */
  readonly cause: string;
  /** Whether running the remediation again can help before anything else is changed. */
  readonly retryHelps: boolean;
  /** What to fix before (or instead of) retrying. */
  readonly fixFirst: string;
  readonly gather?: FactReader;
  /** The Microsoft Learn page the entry rests on. */
  readonly source: string;
  readonly samples: readonly [FailureSignal, ...FailureSignal[]];
}

/** An object a fix must touch, with its page in the Microsoft Entra admin center where it has one. */
export interface ObjectToFix {
  readonly label: string;
  readonly url?: string;
}

/** What the bot knows about one failure of one target: the entry's advice and the facts read for it. */
export interface Diagnosis {
  /** The entry that recognised it; undefined for a failure the table does not know. */
  readonly entry: string | undefined;
  readonly cause: string;
  readonly retryHelps: boolean;
  readonly fixFirst: string;
  readonly facts: readonly { readonly title: string; readonly value: string }[];
  readonly objectToFix?: ObjectToFix;
  readonly source?: string;
}

function fits(pattern: RegExp | undefined, value: string | undefined): boolean {
  return !pattern || (value !== undefined && pattern.test(value));
}

/** The first entry of the family that recognises the signal, or undefined. */
export function recognise(
  entries: readonly KnowledgeEntry[],
  signal: FailureSignal,
): KnowledgeEntry | undefined {
  return entries.find(
    (e) =>
      e.kind === signal.kind &&
      fits(e.recognise.service, signal.service) &&
      fits(e.recognise.code, signal.code) &&
      fits(e.recognise.text, signal.text),
  );
}

/** The advice of an entry, before any facts are read. */
export function adviceOf(entry: KnowledgeEntry): Diagnosis {
  return {
    entry: entry.id,
    cause: entry.cause,
    retryHelps: entry.retryHelps,
    fixFirst: entry.fixFirst,
    facts: [],
    source: entry.source,
  };
}

/** What the bot says of a failure its table does not know: that it does not know, and that a retry is open. */
export const UNKNOWN_FAILURE: Diagnosis = {
  entry: undefined,
  cause: 'This error is not in the bot’s knowledge table, so the bot cannot say what causes it.',
  retryHelps: true,
  fixFirst:
    'Nothing known to fix first: a retry may help. If the same error comes back, read its message in Entra and fix what it names.',
  facts: [],
};

/** The table's advice for a signal, or the plain "unknown" when no entry recognises it. */
export function diagnose(entries: readonly KnowledgeEntry[], signal: FailureSignal): Diagnosis {
  const entry = recognise(entries, signal);
  return entry ? adviceOf(entry) : UNKNOWN_FAILURE;
}

/** The first diagnosis that says a retry cannot help yet: the one a confirmation leads with. */
export function blockingDiagnosis(diagnoses: readonly Diagnosis[] | undefined): Diagnosis | undefined {
  return diagnoses?.find((d) => !d.retryHelps);
}
