import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { defineStateMachine, refusalCodes } from './state-machine';

const door = defineStateMachine({
  name: 'door',
  moves: { open: ['closed'], closed: ['open', 'locked'], locked: ['closed'] },
  refusals: { locked: 'the door is locked: unlock it first' },
});

describe('a state machine', () => {
  it('makes the moves its table allows', () => {
    expect(door.move('closed', 'locked')).toBe('locked');
    expect(door.next('closed')).toEqual(['open', 'locked']);
    expect(door.can('open', 'locked')).toBe(false);
  });

  it('refuses every other move with a 409 whose code names the state that refused', () => {
    const refused: [string, string, string][] = [
      ['open', 'locked', 'door_open'],
      ['open', 'open', 'door_open'],
      ['locked', 'open', 'door_locked'],
    ];
    for (const [from, to, code] of refused) {
      let error: unknown;
      try {
        door.move(from as 'open', to as 'open');
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code, status: 409, details: { state: from, requested: to } });
    }
    expect(() => door.move('locked', 'open')).toThrow('the door is locked: unlock it first');
  });

  it('lists the codes its refusals use, and refuses a table that names an unknown state', () => {
    expect(refusalCodes(door)).toEqual(['door_open', 'door_closed', 'door_locked']);
    expect(() => defineStateMachine({ name: 'bad', moves: { a: ['b' as 'a'] } })).toThrow(/not a state/);
  });
});
