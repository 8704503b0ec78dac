-- herald:expand
-- herald:no-transaction
-- The message timeline (GET /api/admin/notifications/:id/timeline) shows when a notification's
-- delivery job was relayed and finished. Its outbox row names the notification only inside its
-- payload ({"notificationIds": [...]}), but is written in the notification's own transaction, so it
-- has the notification's created_at (both default to now(), the transaction's start): the lookup
-- is this index's equality probe, then a containment check of a few rows' payloads. Partial, on
-- the delivery queue alone: one entry per delivery chunk, nothing for the other queues' rows.
-- Concurrently: the outbox is written by every request that notifies.
CREATE INDEX CONCURRENTLY IF NOT EXISTS outbox_delivery_created_idx ON outbox (created_at) WHERE queue = 'notification-delivery';
