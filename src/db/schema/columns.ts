import { customType, text, timestamp } from 'drizzle-orm/pg-core';

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** The columns of an AES-256-GCM envelope (src/crypto/envelope.ts). */
export const envelopeColumns = () => ({
  keyId: text('key_id').notNull(),
  nonce: bytea('nonce').notNull(),
  ciphertext: bytea('ciphertext').notNull(),
  tag: bytea('tag').notNull(),
});
