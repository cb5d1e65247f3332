import type { ModelVersionRecord } from '../../db/prisma-types';

/**
 * The model version rows suggestBgm answers with, by id. The suggestion statement itself says
 * which version is active (in the same snapshot as the search), so this cache never decides which
 * version is used: it only spares re-reading the row. A row is reused only while its activation
 * time matches the statement's, so a version deactivated and activated again is read afresh.
 * Bounded: versions are few, and the oldest entry goes first.
 */
export class ModelRecordCache {
  private readonly rows = new Map<string, ModelVersionRecord>();

  constructor(
    private readonly load: (id: string) => Promise<ModelVersionRecord | null>,
    private readonly capacity = 8,
  ) {}

  async get(id: string, activatedAt: Date | null): Promise<ModelVersionRecord | null> {
    const cached = this.rows.get(id);
    if (cached && cached.activatedAt?.getTime() === activatedAt?.getTime()) return cached;
    const row = await this.load(id);
    this.rows.delete(id);
    if (!row) return null;
    this.rows.set(id, row);
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
    return row;
  }
}
