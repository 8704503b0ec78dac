import type { Cluster } from './cluster.js';
import type { Knobs } from './knobs.js';
import { drillReport, errorCounts, growthPercent, summarize, type DrillReport } from './stats.js';
import { drive, trafficUsers, weighted } from './traffic.js';
import { deliveryReport, missingWrites, waitDrained } from './verify.js';

/**
 * Soak: DRILL_SOAK_SECONDS of the production mix through both API processes (inbox reads 70 %,
 * mark read 10 %, preference changes 5 %, notification creation with email 10 %, analytics
 * events 5 %). Targets: no error but 429s, every acknowledged write stored, every process's RSS
 * within +10 % of its figure after the warm-up, every created notification emailed exactly once.
 */
export async function soakDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const ops = await trafficUsers(cluster, knobs, 'soak');
  const op = weighted([[70, () => ops.list()], [10, () => ops.markRead()], [5, () => ops.preferences()], [10, () => ops.create()], [5, () => ops.analytics()]]);

  log(`soak: warm-up ${knobs.warmupSeconds}s at ${knobs.rate}/s`);
  const warmEnd = Date.now() + knobs.warmupSeconds * 1000;
  await drive({ rate: knobs.rate, maxInFlight: knobs.maxInFlight, until: () => Date.now() >= warmEnd, op });

  const rssStart = await cluster.rss();
  const redisStart = await cluster.redisUsedMemory();
  const rssPeak: Record<string, number> = {};
  const notePeak = async () => {
    for (const [name, kb] of Object.entries(await cluster.rss())) if (kb !== null) rssPeak[name] = Math.max(rssPeak[name] ?? 0, kb);
  };
  const sampler = setInterval(() => void notePeak(), 5_000);
  log(`soak: ${knobs.soakSeconds}s at ${knobs.rate}/s`);
  const end = Date.now() + knobs.soakSeconds * 1000;
  let lastProgress = Date.now();
  const traffic = await drive({
    rate: knobs.rate, maxInFlight: knobs.maxInFlight, until: () => Date.now() >= end, op,
    onSample: () => {
      if (Date.now() - lastProgress < 60_000) return;
      lastProgress = Date.now();
      log(`soak: ${Math.round((end - Date.now()) / 1000)}s left`);
    },
  });
  clearInterval(sampler);
  await notePeak();
  const rssEnd = await cluster.rss();
  const redisEnd = await cluster.redisUsedMemory();

  log('soak: waiting for the outbox to drain');
  const drain = await waitDrained(cluster, knobs.drainSeconds * 1000);
  const delivery = await deliveryReport(cluster, 'soak', false);
  const missing = await missingWrites(cluster, ops);
  const { errors, rateLimited } = errorCounts(traffic.samples);
  const rss = Object.fromEntries(Object.keys(rssStart).map((name) => [name, {
    startKb: rssStart[name], endKb: rssEnd[name], peakKb: rssPeak[name] ?? null, growthPercent: growthPercent(rssStart[name] ?? null, rssEnd[name] ?? null),
  }]));
  const exited = cluster.exited();
  return drillReport('soak', {
    noErrors: errors === 0,
    acknowledgedWritesPresent: missing.reads + missing.prefs + missing.creations === 0,
    rssGrowthUnder10Percent: Object.values(rss).every((r) => r.growthPercent !== null && r.growthPercent < 10),
    drained: drain.drained,
    noLostEmail: delivery.lost === 0,
    noDuplicateEmail: delivery.duplicated === 0,
    noProcessExited: exited.length === 0,
  }, {
    params: { seconds: knobs.soakSeconds, warmupSeconds: knobs.warmupSeconds, rate: knobs.rate, users: knobs.users, maxInFlight: knobs.maxInFlight },
    requests: traffic.samples.length,
    throughputRps: Math.round((traffic.samples.length / traffic.seconds) * 10) / 10,
    skippedAtMaxInFlight: traffic.skipped,
    errors, rateLimited,
    endpoints: summarize(traffic.samples),
    rss,
    redisUsedMemory: { startBytes: redisStart, endBytes: redisEnd, growthPercent: growthPercent(redisStart, redisEnd) },
    // Warm-up included: every acknowledged write of the drill is checked.
    writesAcknowledged: { markRead: ops.acked.reads.size, preferences: [...ops.acked.prefs.values()].filter(Boolean).length, creations: ops.acked.creations.size },
    writesMissing: missing,
    drainSeconds: drain.seconds,
    delivery,
    exitedProcesses: exited,
  });
}
