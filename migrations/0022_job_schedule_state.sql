-- herald:expand
-- Schedule control (issue 19): the schedules an admin paused. PostgreSQL holds the truth; BullMQ's
-- job scheduler (Redis only) follows it: pausing removes the scheduler, resuming upserts it again,
-- and the ScheduleKeeper neither restores a paused schedule nor leaves one registered
-- (platform/queue/schedule-state.ts). A schedule without a row has never been paused.
-- Expand-only: older code never reads it (it would keep running a paused schedule's iterations).

CREATE TABLE job_schedule_state (
  -- A schedule's id in SCHEDULES (src/platform/queue/schedules.ts).
  id          text PRIMARY KEY,
  -- Set while paused, null once resumed.
  paused_at   timestamptz,
  paused_by   uuid REFERENCES users (id) ON DELETE SET NULL,
  -- The last resume: a keeper restoring the schedule later catches up no run at or before it (the
  -- runs skipped while paused are not made up).
  resumed_at  timestamptz
);
