-- herald:expand
-- Ingestion reserves a request's event ids in blocks: one nextval of the identity sequence stands
-- for the ids value .. value+511 (events.repository.ts, idBlock), where 500 nextvals a request cost
-- PostgreSQL 0.68 ms of the ~7 ms it spends on the request (docs/BENCHMARKS.md, issue 21). The
-- sequence's values now step by 512, so no two blocks overlap; an INSERT that takes the column's
-- default takes a whole block for its one row (the ids stay unique and ascending in the order
-- taken, and are not dense, which nothing reads them as). Backward compatible: a process of the
-- release before this one still reserves one nextval an id, each inside a block of its own.
-- ALTER SEQUENCE locks the sequence alone (ALTER TABLE … SET INCREMENT BY would lock the events
-- table), for as long as the catalog update takes.
DO $$
BEGIN
  EXECUTE format('ALTER SEQUENCE %s INCREMENT BY 512', pg_get_serial_sequence('analytics_events', 'id'));
END
$$;
