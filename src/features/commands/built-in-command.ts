import type { ActionArgs, CommandSpec } from '../../domain/actions/action';
import type { CommandTurn, ReplySink } from '../shared/turns';

/**
 * A command the bot answers itself (history, status, subscriptions…), parsed from the same kind of
 * syntax as the remediations so help and "did you mean" cover it too.
 */
export interface BuiltInCommand extends CommandSpec {
  run(args: ActionArgs, turn: CommandTurn, sink: ReplySink): Promise<void>;
}
