import type { Clock } from '../../infra/clock';
import type { Detector } from '../failures/detector';
import type { RemediationAction } from './action';
import type { GraphApi } from '../../infra/graph/graph-api';
import type { Diagnosis, KnowledgeEntry } from './diagnosis';

/**
 * Everything the product knows about one remediation, in its own folder: the command, the failure family it
 * fixes, how that family is named and found. The registry lists these; nothing else names a remediation.
 */
export interface RemediationDefinition<Name extends string = string, Kind extends string = string> {
  /** The command word; equal to the action's name. */
  readonly name: Name;
  /** The failure family it fixes, as channels subscribe to it and external monitors report it. */
  readonly kind: Kind;
  /** How cards name the family, so admins recognise the Entra blade it comes from. */
  readonly label: string;
  /** Other words people type for the family in `subscribe`. */
  readonly kindAliases: readonly string[];
  /** A failure card's headline for the object that failed. */
  failureTitle(objectLabel: string): string;
  /** Whether a failure's command carries `--app` and `--job` (provision on demand acts on a sync job). */
  readonly takesJob: boolean;
  /** The command itself; given the clock where it judges time (a request's reprocess window). */
  action(clock: Clock): RemediationAction;
  readonly detector: Detector<Kind>;
  /** The failures of its family the bot can explain: cause, whether a retry helps, what to fix first. */
  readonly knowledge: readonly KnowledgeEntry[];
  /**
   * Reads a target's current failures with the app's read-only client and diagnoses each, facts included:
   * what a later check says of the errors left. The confirmation diagnoses in `resolve`, from what its
   * look-up already read.
   */
  diagnose?(target: unknown, graph: GraphApi): Promise<readonly Diagnosis[]>;
}
