-- herald:expand
-- The last event id block an API process reserved ahead for ingestion (analytics/id-blocks.ts), one
-- row. Ingestion's reservation statement writes it so that the statement writes WAL: PostgreSQL logs
-- a sequence 32 values ahead and a transaction that only calls nextval inside that range writes no
-- WAL of its own, so its commit is never flushed synchronously. A crash of the server then brought
-- the sequence back below blocks a process still held, and the values were handed out twice. With
-- this write, and synchronous_commit at least `on` in that transaction, the commit flushes the WAL
-- through the sequence's record before any reserved block is used. Backward compatible: the release
-- before this one does not read or write it.
CREATE TABLE analytics_id_reservations (
  id smallint PRIMARY KEY CHECK (id = 1),
  last_base bigint NOT NULL,
  reserved_at timestamptz NOT NULL
);
