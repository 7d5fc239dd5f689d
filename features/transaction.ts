import type { FromSchema } from 'json-schema-to-ts';

/** Id pattern shared by transaction, user and merchant ids (safe as a store key). */
export const ID_PATTERN = '^[A-Za-z0-9._:-]{1,64}$';

/** Upper bound of `amountMinor`: keeps every profile sum an exact integer in int64 and float64. */
export const MAX_AMOUNT_MINOR = 100_000_000_000;

const idSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: ID_PATTERN } as const;


/**
 * Formats the schemas use beyond JSON Schema's own, each a membership test over a code list (a set
 * lookup is far cheaper than a 250-way `enum`): `rfc3339` ({@link parseRfc3339}), `iso4217`
 * ({@link CURRENCY_CODES}) and `iso3166-alpha2` ({@link COUNTRY_CODES}). Validators must register
 * them (see `formatCheckers`).
 *
 * One card transaction as the payment backend sends it. This schema is the single source of the
 * contract; the {@link Transaction} type is generated from it.
 */
export const transactionSchema = {
  $id: 'urn:fraud-scoring:transaction:v1',
  type: 'object',
  additionalProperties: false,
  required: ['transactionId', 'timestamp', 'userId', 'merchantId', 'amountMinor', 'currency'],
  properties: {
    transactionId: idSchema,
    timestamp: { type: 'string', maxLength: 40, format: 'rfc3339' },
    userId: idSchema,
    merchantId: idSchema,
    amountMinor: { type: 'integer', minimum: 1, maximum: MAX_AMOUNT_MINOR },
    currency: { type: 'string', minLength: 3, maxLength: 3, format: 'iso4217' },
    channel: { type: 'string', enum: ['card_present', 'contactless', 'ecommerce', 'atm'] },
    /** ISO 18245 merchant category code, 4 digits. */
    mcc: { type: 'string', pattern: '^[0-9]{4}$' },
    merchantCountry: { type: 'string', minLength: 2, maxLength: 2, format: 'iso3166-alpha2' },
    userCountry: { type: 'string', minLength: 2, maxLength: 2, format: 'iso3166-alpha2' },
  },
} as const;

/**
 * A validated transaction. `transactionId` is the idempotency key; `timestamp` (RFC 3339 with an
 * offset) is the event time every feature is a function of; `amountMinor` is an integer in minor
 * units of `currency` (ISO 4217), 1 .. 10^11; countries are ISO 3166-1 alpha-2.
 */
export type Transaction = FromSchema<typeof transactionSchema>;

/** How the card was used. */
export type Channel = NonNullable<Transaction['channel']>;

/** The closed set of channels, in the order their numeric feature codes follow (0, 1, 2, 3). */
export const CHANNELS: readonly Channel[] = transactionSchema.properties.channel.enum;
