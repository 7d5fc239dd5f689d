import type { ListStore } from '../rules/list-store';
import type { DecisionLog } from './decision-log';
import type { LabelStore } from './label-store';

/** The service's stores of decisions, labels and lists, opened together (see `createEventStores`). */
export interface EventStores {
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  /** The allow and block lists' entries (see src/rules). */
  readonly lists: ListStore;
  /** Flushes the decision log and releases the connection(s) and the DATA_DIR lock. */
  close(): Promise<void>;
}
