import { createStream } from '../random/stream';
import { drawCustomerContext, drawTerminalContext, type CustomerContext, type TerminalContext } from './context-profiles';
import type { Csr } from './csr';
import { drawCustomers, drawTerminals, type CustomerProfiles, type TerminalLocations } from './profiles';
import { terminalsInRange } from './terminals-in-range';

/** The simulated world: who pays where. Immutable once built. */
export interface Population {
  readonly customers: CustomerProfiles;
  readonly terminals: TerminalLocations;
  /** Terminals each customer uses (distance < radius), ascending. Empty = the customer never transacts. */
  readonly terminalsOf: Csr;
  readonly customerContext: CustomerContext;
  readonly terminalContext: TerminalContext;
}

/** What a population depends on. */
export interface PopulationOptions {
  readonly seed: number;
  readonly customers: number;
  readonly terminals: number;
  readonly radius: number;
}

/**
 * Builds the world for `seed`. The handbook's profiles come from streams `customers` and
 * `terminals`; the context fields from `context/customers` and `context/terminals`, so they never
 * shift the handbook's draws. Same options = same population.
 */
export function createPopulation(o: PopulationOptions): Population {
  const customers = drawCustomers(createStream(o.seed, 'customers'), o.customers);
  const terminals = drawTerminals(createStream(o.seed, 'terminals'), o.terminals);
  return {
    customers,
    terminals,
    terminalsOf: terminalsInRange(customers, terminals, o.radius),
    customerContext: drawCustomerContext(createStream(o.seed, 'context', 'customers'), o.customers),
    terminalContext: drawTerminalContext(createStream(o.seed, 'context', 'terminals'), o.terminals),
  };
}
