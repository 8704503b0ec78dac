import { z } from 'zod';
import { isoTimestamp, okBody, type Same } from '../platform/http/route-doc.js';
import { RUN_TRIGGERS, type RunView } from './schedules.rules.js';
import type { ScheduleControlView, SchedulesService } from './schedules.service.js';

/** Response shapes of schedule control (API.md, "Job console"), for OpenAPI and the client. */

export const scheduleControlSchema = z.object({
  id: z.string(),
  paused: z.boolean(),
  pausedAt: isoTimestamp.nullable(),
  pausedBy: z.string().nullable().describe('the admin\'s user id'),
  nextRun: isoTimestamp.nullable().describe('null while paused'),
}).meta({ id: 'ScheduleControl' });
export const scheduleControlBody = okBody(scheduleControlSchema);

export const scheduleRunNowBody = okBody(z.object({
  jobId: z.string().describe('schedule-run-<id>-<ms>; the run already waiting when deduplicated'),
  deduplicated: z.boolean().describe('true when a run of this schedule was still waiting: no second one was added'),
}).meta({ id: 'ScheduleRunNow' }));

export const scheduleRunSchema = z.object({
  jobId: z.string(),
  trigger: z.enum(RUN_TRIGGERS).describe('schedule: an iteration of the scheduler; catch-up: a run made up after Redis lost the scheduler; manual: run now'),
  state: z.string().describe('completed, failed, skipped (an iteration of a paused schedule, completed without running), or waiting / prioritized / active'),
  startedAt: isoTimestamp.nullable(),
  finishedAt: isoTimestamp.nullable(),
  durationMs: z.number().int().nullable(),
  failedReason: z.string().nullable(),
}).meta({ id: 'ScheduleRun' });
export const scheduleRunsBody = okBody(z.array(scheduleRunSchema));

type Service<K extends keyof SchedulesService> = SchedulesService[K] extends (...args: never[]) => Promise<infer R> ? R : never;
const _control: Same<z.output<typeof scheduleControlSchema>, ScheduleControlView> = true;
const _runNow: Same<z.output<typeof scheduleRunNowBody>['data'], Service<'runNow'>> = true;
const _run: Same<z.output<typeof scheduleRunSchema>, RunView> = true;
