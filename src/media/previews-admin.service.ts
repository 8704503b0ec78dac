import type { AuditRepository } from '../admin/index.js';
import { ASSET_NOT_FOUND, type AssetMedia, type AssetRow } from '../catalog/index.js';
import type { Db, Executor } from '../platform/db/client.js';
import { ConflictError, InvalidError, NotFoundError } from '../platform/errors.js';
import { toIso } from '../platform/http/reply.js';
import { isId } from '../platform/http/validation.js';
import { enqueueManyInTx } from '../platform/queue/outbox.js';
import { hasPreview } from './media.files.js';

const QUEUE = 'file-preview-generation';
const PAGE = 1_000;

export interface MissingPreview {
  assetId: string; title: string; type: string; scanStatus: string; previewError: string | null; previewLastAttempt: string | null; updatedAt: string;
}

const missingView = (r: AssetRow): MissingPreview => {
  const m = (r.metadata as Record<string, unknown> | null) ?? {};
  return {
    assetId: r.id, title: r.title, type: r.type, scanStatus: r.scan_status,
    previewError: typeof m.previewError === 'string' ? m.previewError : null,
    previewLastAttempt: typeof m.previewLastAttempt === 'string' ? m.previewLastAttempt : null,
    updatedAt: toIso(r.updated_at)!,
  };
};

/** The job of an admin re-run: one per asset, so a repeated request replaces the one still waiting. */
export const previewRunJobId = (assetId: string) => `preview-${assetId}`;

/**
 * Admin re-runs of previews: one asset, or every video/audio asset with a clean file and no
 * preview. Each goes through the outbox with the audit record (a Redis flush before the relay
 * or the run loses nothing) under a fixed job id per asset: a request while the asset's job
 * waits replaces it (one run), and one while it runs is relayed after it.
 */
export interface PreviewsAdminServiceDeps {
  readonly db: Db;
  readonly assets: AssetMedia;
  /** Each re-run is recorded in the admin audit log, in the transaction that enqueues it. */
  readonly audit: AuditRepository;
}

export class PreviewsAdminService {
  constructor(private readonly deps: PreviewsAdminServiceDeps) {}

  async runOne(adminId: string, assetId: string): Promise<{ jobId: string }> {
    const asset = isId(assetId) ? await this.deps.assets.find(assetId) : undefined;
    if (!asset) throw new NotFoundError(ASSET_NOT_FOUND);
    if (!hasPreview(asset.type)) throw new InvalidError(`Only VIDEO and AUDIO assets have previews; this one is ${asset.type}.`);
    if (!asset.storage_key) throw new ConflictError('The asset has no file to preview.');
    if (asset.scan_status !== 'CLEAN') throw new ConflictError(`The asset's file has not passed its virus scan (scan status ${asset.scan_status}).`);
    const jobId = previewRunJobId(asset.id);
    await this.deps.db.transaction().execute(async (tx) => {
      await this.add(tx, [asset]);
      await this.deps.audit.in(tx).record({ adminId, action: 'previews.run', queue: QUEUE, jobId, details: { assetId } });
    });
    return { jobId };
  }

  /** Pages through the assets by id, one addBulk per page. */
  async runMissing(adminId: string): Promise<{ queued: number }> {
    let queued = 0;
    let afterId: string | undefined;
    for (;;) {
      const rows = await this.deps.assets.withoutPreview(PAGE, { afterId });
      if (rows.length === 0) break;
      await this.add(this.deps.db, rows);
      queued += rows.length;
      afterId = rows.at(-1)!.id;
    }
    await this.deps.audit.record({ adminId, action: 'previews.run-missing', queue: QUEUE, details: { queued } });
    return { queued };
  }

  async missing(page: number, pageSize: number): Promise<{ items: MissingPreview[]; total: number }> {
    const [rows, total] = await Promise.all([this.deps.assets.withoutPreview(pageSize, { offset: (page - 1) * pageSize }), this.deps.assets.countWithoutPreview()]);
    return { items: rows.map(missingView), total };
  }

  private add(tx: Executor, rows: ReadonlyArray<Pick<AssetRow, 'id' | 'storage_key'>>): Promise<void> {
    return enqueueManyInTx(tx, QUEUE, 'PreviewGenerate', rows.map((r) => ({ assetId: r.id, storageKey: r.storage_key!, trigger: 'admin' as const })), {
      jobIdOf: (p) => previewRunJobId(p.assetId),
    });
  }
}
