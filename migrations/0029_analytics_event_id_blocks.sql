-- herald:expand
-- Ingestion reserves a request's event ids in blocks: one nextval of the identity sequence stands
-- for the ids value .. value+511 (events.repository.ts, idBlock), where 500 nextvals a request cost
-- PostgreSQL 0.68 ms of the ~7 ms it spends on the request (docs/BENCHMARKS.md, issue 21). The
-- sequence now steps by 512 from a multiple of 512, so every value it gives is a multiple of 512 and
-- no two blocks overlap. Ingestion refuses a value that is not one (a sequence whose increment was
-- lowered, or set to another value: its blocks would overlap ids already stored), so such a mistake
-- stops ingestion with an error instead of storing one id twice (docs/OPERATIONS.md, "Analytics
-- event ids"). An INSERT that takes the column's default takes a whole block for its one row; the
-- ids stay unique and ascending in the order taken, and are not dense, which nothing reads them as.
-- Backward compatible: a process of the release before this one still reserves one nextval an id,
-- each a block of its own.
-- ALTER SEQUENCE locks the sequence (not the events table) until this migration commits, so no
-- nextval runs between the ALTER and the setval that moves the sequence to the next multiple of 512
-- past every value it gave: a nextval waits for it, as it waits for any transaction that called
-- nextval before.
DO $$
DECLARE
  seq text := pg_get_serial_sequence('analytics_events', 'id');
  last bigint;
BEGIN
  EXECUTE format('ALTER SEQUENCE %s INCREMENT BY 512', seq);
  EXECUTE format('SELECT last_value FROM %s', seq) INTO last;
  PERFORM setval(seq, (last / 512 + 1) * 512, false);
END
$$;
