import type { BuiltInCommand } from '../commands/built-in-command';
import type { CardActionGroup, CardActionHandler } from './card-action-router';

/**
 * What a feature plugs into the bot: the commands people type after an @mention, the card buttons it answers
 * (each handler names its verbs), and its life cycle. The Teams layer registers every feature's commands and
 * buttons, starts them once the server listens and closes them on shutdown; no feature knows the others'.
 */
export interface Feature {
  readonly commands: readonly BuiltInCommand[];
  readonly cardActions: readonly (CardActionHandler | CardActionGroup)[];
  /** Starts background work (a monitor interval, resuming interrupted runs); called once the server listens. */
  start(): void;
  /** Stops starting work and resolves once the work under way has finished. */
  close(): Promise<void>;
}
