import { AppError } from './errors';

/**
 * An explicit state machine: a table of the moves a thing may make, and one function that makes
 * them. A refused move is a 409 whose code names the state that refused it (`invitation_revoked`,
 * `order_closed`), so a client knows what happened without reading the message. Each such code is
 * declared in the core's or the line's error catalogue.
 */
export interface StateMachine<S extends string> {
  readonly name: string;
  readonly states: readonly S[];
  /** Where `from` may go next. */
  next(from: S): readonly S[];
  can(from: S, to: S): boolean;
  /** `to`, or the refusal named `<name>_<from>`. */
  move(from: S, to: S): S;
  /** The refusal `move` throws for a move the table does not allow. */
  refusal(from: S, to: S): AppError;
}

export interface StateMachineOptions<S extends string> {
  /** The thing's name, the first word of every refusal's code. */
  name: string;
  moves: Readonly<Record<S, readonly S[]>>;
  /** Words for a refusal from each state (`'this invitation was withdrawn; ask for a new one'`). */
  refusals?: Partial<Readonly<Record<S, string>>>;
}

export function defineStateMachine<S extends string>({
  name,
  moves,
  refusals = {},
}: StateMachineOptions<S>): StateMachine<S> {
  const states = Object.keys(moves) as S[];
  for (const [from, targets] of Object.entries(moves) as [S, readonly S[]][]) {
    for (const to of targets) {
      if (!states.includes(to)) throw new Error(`${name}: ${from} moves to ${to}, which is not a state`);
    }
  }
  const can = (from: S, to: S) => moves[from].includes(to);
  const refusal = (from: S, to: S) =>
    AppError.declared(
      `${name}_${from}`,
      409,
      refusals[from] ?? `the ${name.replaceAll('_', ' ')} is ${from}: it cannot become ${to}`,
      { state: from, requested: to },
    );
  return {
    name,
    states,
    next: (from) => moves[from],
    can,
    move(from, to) {
      if (can(from, to)) return to;
      throw refusal(from, to);
    },
    refusal,
  };
}

/** The codes a machine's refusals use (one per state that refuses a move, itself included), for the catalogue. */
export function refusalCodes<S extends string>(machine: StateMachine<S>): string[] {
  return machine.states
    .filter((from) => machine.states.some((to) => !machine.can(from, to)))
    .map((from) => `${machine.name}_${from}`);
}
