import { createLabelEvents, LABEL_EVENTS_OFF, writeLabelEvent } from '../../../src/telemetry/label-events';
import type { LabelRecord } from '../../../src/records/label-store';
import { userIdFields, type UserIdPolicy } from '../../../src/telemetry/user-id-field';
import { createLogger } from '../../../src/telemetry/logger';

const KEY = 'ab'.repeat(32);
const PSEUDONYM: UserIdPolicy = { mode: 'pseudonym', keyHex: KEY };

const record = (over: Partial<LabelRecord> = {}): LabelRecord => ({
  transactionId: 'tx-1',
  label: 'legitimate',
  source: 'user_confirmation',
  reportedAt: '2018-09-01T10:05:00Z',
  reportedAtSeconds: 1_535_796_300,
  receivedAt: '2018-09-01T10:05:01.000Z',
  userId: 'user-secret-1',
  merchantId: 'm-1',
  eventTime: 1_535_796_000,
  fraudChange: 0,
  client: 'confirmation-app',
  userVersion: null,
  merchantVersion: null,
  ...over,
});

/** The service's ECS logger writing into an array: the lines as written, and parsed. */
function capture() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { logger, lines, events: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('label events', () => {
  test('a label event is an info ECS line of dataset fraud.label with the label, the merchant and the user pseudonym, never the raw user id', () => {
    const { logger, lines, events } = capture();
    createLabelEvents(logger, { userId: PSEUDONYM }).emit(record(), 'legitimate');
    expect(lines).toHaveLength(1);
    const [event] = events();
    expect(event).toEqual({
      'log.level': 'info',
      '@timestamp': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      'ecs.version': expect.any(String),
      service: { name: 'fraud-scoring' },
      event: { dataset: 'fraud.label', module: 'fraud-scoring', kind: 'event', action: 'label-recorded', outcome: 'success' },
      fraud: {
        transaction_id: 'tx-1',
        user_pseudonym: userIdFields(PSEUDONYM)('user-secret-1').user_pseudonym,
        merchant_id: 'm-1',
        label: 'legitimate',
        source: 'user_confirmation',
        reported_at: '2018-09-01T10:05:00Z',
        resolved_label: 'legitimate',
        client: 'confirmation-app',
      },
      message: 'label legitimate (user_confirmation) tx-1',
    });
    expect((event?.fraud as { user_pseudonym: string }).user_pseudonym).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0]).not.toContain('user-secret-1');
  });

  test('the user is carried as the decision events carry it: the raw id, or nothing', () => {
    const raw = capture();
    createLabelEvents(raw.logger, { userId: { mode: 'raw', keyHex: null } }).emit(record(), 'legitimate');
    expect(raw.events()[0]?.fraud).toMatchObject({ user_id: 'user-secret-1' });
    expect(raw.events()[0]?.fraud).not.toHaveProperty('user_pseudonym');

    const omitted = capture();
    createLabelEvents(omitted.logger, { userId: { mode: 'omit', keyHex: null } }).emit(record(), 'legitimate');
    expect(omitted.events()[0]?.fraud).not.toHaveProperty('user_id');
    expect(omitted.events()[0]?.fraud).not.toHaveProperty('user_pseudonym');
    expect(omitted.lines[0]).not.toContain('user-secret-1');
  });

  test('the resolved label is the one given (another source may outrank this label); a label without a client says null', () => {
    const { logger, events } = capture();
    writeLabelEvent(logger, record({ label: 'legitimate', source: 'user_confirmation', client: null }), 'fraud', userIdFields(PSEUDONYM));
    expect(events()[0]?.fraud).toMatchObject({ label: 'legitimate', resolved_label: 'fraud', client: null });
  });

  test('reported_at is the time sent, in upper case (Elasticsearch refuses a lower-case t or z), offset and fraction kept', () => {
    const { logger, events } = capture();
    writeLabelEvent(logger, record({ reportedAt: '2018-09-01t12:05:00.123456+02:00' }), 'legitimate', userIdFields(PSEUDONYM));
    writeLabelEvent(logger, record({ reportedAt: '2018-09-01t10:05:00z' }), 'legitimate', userIdFields(PSEUDONYM));
    expect(events().map((e) => (e.fraud as { reported_at: string }).reported_at)).toEqual(['2018-09-01T12:05:00.123456+02:00', '2018-09-01T10:05:00Z']);
  });

  test('a pseudonym policy without a key is refused when the events are built; LABEL_EVENTS_OFF writes nothing', () => {
    const { logger, lines } = capture();
    expect(() => createLabelEvents(logger, { userId: { mode: 'pseudonym', keyHex: null } })).toThrow(new RangeError('a pseudonym key is required'));
    LABEL_EVENTS_OFF.emit(record(), 'legitimate');
    expect(lines).toEqual([]);
  });
});
