import type { ProfileStore } from '../../../src/store/profile-store';

/** An isolated, initially empty slice of one backend (its own key prefix). */
export interface ProfileNamespace {
  /** Prefix of every key the namespace's stores write. */
  readonly keyPrefix: string;
  /** A new client on the namespace: two stores opened here share data through the backend. */
  open(): Promise<ProfileStore>;
  /** Deletes everything the namespace holds and closes its helpers. */
  dispose(): Promise<void>;
}

/** A store whose link to its backend can be cut (a real outage, not a mock). */
export interface OutageStore {
  readonly store: ProfileStore;
  /** Drops the connections and refuses new ones. */
  cut(): void;
  /** Lets connections through again. */
  restore(): void;
  close(): Promise<void>;
}

/** A store whose entities' profiles expire (or are evicted as idle) once past the feature horizon. */
export interface IdleStore {
  readonly store: ProfileStore;
  /**
   * Makes every entity changed so far idle past the horizon as the store measures it: waits out a
   * short profile TTL (Redis), moves the store's wall clock (a document double), or nothing (the
   * memory store measures event time, which the test moves itself with later transactions).
   */
  passHorizon(): Promise<void>;
  close(): Promise<void>;
}

/** What the shared contract suite needs from one backend. Optional parts skip their tests. */
export interface ProfileStoreHarness {
  /** True for stores reached over a network: closing them ends their connection. */
  readonly networked: boolean;
  /** The command / request timeout the harness configures, milliseconds. */
  readonly timeoutMs: number;
  namespace(): Promise<ProfileNamespace>;
  /** A store on `ns` behind a link that can be cut. */
  outage?(ns: ProfileNamespace): Promise<OutageStore>;
  /** Requests `action` sends to the backend for entities of `ns` (a script call counts as one). */
  countRequests?(ns: ProfileNamespace, action: () => Promise<void>): Promise<number>;
  /** Creates a store against an address where nothing listens (connect timeout = `timeoutMs`); it must reject. */
  createUnreachable?(): Promise<ProfileStore>;
  /** Makes the backend lose every key of `ns` (a server restarted without persistence). */
  loseData?(ns: ProfileNamespace): Promise<void>;
  /** A store on `ns` with profile expiry (idle eviction) set up so a test can pass the horizon. */
  idle?(ns: ProfileNamespace): Promise<IdleStore>;
  /** The store has `admin` (whole-profile put and list). */
  readonly supportsAdmin?: boolean;
  /** Starts the backend before the suite (a local cluster) and stops it after. */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}
