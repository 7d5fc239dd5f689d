import { UsageError, type Command, type CommandAction } from './command';

/**
 * A command made of actions (`models list`, `models promote VERSION`): its usage names them, its
 * `run` passes the arguments after the action to that action. A missing or unknown action is a
 * UsageError.
 */
export function commandGroup(g: { readonly name: string; readonly summary: string; readonly actions: readonly CommandAction[]; readonly notes?: readonly string[] }): Command {
  return {
    ...g,
    usage: `${g.name} ${g.actions.map((a) => a.name).join('|')} ...`,
    async run(args, io) {
      const [name, ...rest] = args;
      const action = findAction(g.actions, name);
      if (action === undefined) throw new UsageError(name === undefined ? 'missing action' : `unknown action "${name}"`);
      return action.run(rest, io);
    },
  };
}

/** The action called `name` of a group's actions, if any. */
export function findAction(actions: readonly CommandAction[] | undefined, name: string | undefined): CommandAction | undefined {
  return name === undefined ? undefined : actions?.find((a) => a.name === name);
}
