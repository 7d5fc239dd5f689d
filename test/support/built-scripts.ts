import { join } from 'node:path';
import type { ServiceThreads } from '../../src/main';

/**
 * Scripts of the build (`npm test` builds first) that run as worker threads. Sources run by ts-jest
 * have no built script beside them, so tests name these, the ones production runs, explicitly.
 */
const DIST = join(__dirname, '../../dist/src');

export const DECODE_WORKER = join(DIST, 'training/dataset/decode-worker.js');

/** The SQLite decision log's writer thread (`SqliteDecisionLogOptions.writerThread`). */
export const DECISION_LOG_WRITER = join(DIST, 'records/sqlite/sqlite-decision-writer.js');

/** The ECS decision events' writer thread (`ThreadedDecisionEventsOptions.script`). */
export const DECISION_EVENT_WRITER = join(DIST, 'telemetry/decision-event-writer.js');

/**
 * The threads of a service under test: the decision log written by the production writer thread;
 * decision events formatted on the scoring thread and written to the test's logger, which is how
 * tests read them (the writer thread's own lines are tested in threaded-decision-events.test.ts).
 */
export const TEST_SERVICE_THREADS: ServiceThreads = { decisionLogWriter: DECISION_LOG_WRITER, decisionEventWriter: null };
