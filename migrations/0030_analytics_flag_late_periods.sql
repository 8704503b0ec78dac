-- herald:expand
-- The late-event check of every ingestion request (events.repository.ts, lateFlagsStatement) as a
-- function: sent as a statement of its own, PostgreSQL planned its CTEs, row locks and UPDATE on
-- every request, 0.38 ms of planning for 0.1 ms of work (pg_stat_statements on bench:analytics,
-- docs/BENCHMARKS.md, issue 21). A PL/pgSQL function's statement can keep its plan, but under the
-- default plan_cache_mode PostgreSQL compares the generic plan with the first five custom ones, and
-- priced with unnest's guess of 10 rows (against the 4 to 8 periods a request touches) the generic
-- plan lost once the table held a year or two of periods: every call was planned again (outside
-- review, 11 plans for 10 calls). So the function forces the generic plan, which has the custom
-- plans' shape (primary-key lookups, rows locked in sorted order), planned once a connection.
-- Same rows, same order, same locks as the statement it replaces: of the periods
-- given (type and start, pairwise), those already rolled up and without a re-run pending are flagged,
-- their rows locked in key order so that two requests flagging the same periods never deadlock, and
-- a period a concurrent request flagged first drops out here. True when it flagged any. VOLATILE
-- (the default): its statement reads the rows as of its own start, after the request's day locks.
CREATE OR REPLACE FUNCTION analytics_flag_late_periods(p_types text[], p_starts timestamptz[]) RETURNS boolean
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  flagged_any boolean;
BEGIN
  WITH touched AS (SELECT * FROM unnest(p_types, p_starts) AS t(period_type, period_start)),
  due AS (
    SELECT p.period_type, p.period_start FROM analytics_rollup_periods p JOIN touched t USING (period_type, period_start)
    WHERE p.rerun_requested_at IS NULL ORDER BY p.period_type, p.period_start FOR UPDATE OF p),
  flagged AS (
    UPDATE analytics_rollup_periods p SET rerun_requested_at = now() FROM due
    WHERE p.period_type = due.period_type AND p.period_start = due.period_start
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM flagged) INTO flagged_any;
  RETURN flagged_any;
END
$$;
