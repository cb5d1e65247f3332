import type { SqlConnection } from '../../../db/sql-runner';
import { withCatalogEpoch } from '../catalog-epoch';
import type { SuggestionFilter } from '../suggestion-filter';
import { eligibleTracksSql } from './candidate-sql';
import type { TrackLabels } from './track-labels';

/**
 * The tracks one filter lets suggestBgm suggest, as read at one catalog counter: a bitmap over
 * labels, the in-process index's filter. Current while the counter is unchanged and no license
 * has started or ended since (untilMs).
 */
export class EligibleTracks {
  constructor(
    readonly epoch: string,
    /** The next license boundary after the read; null: none is scheduled. */
    readonly untilMs: number | null,
    private readonly bits: Uint8Array,
  ) {}

  has(label: number): boolean {
    return this.bits[label] === 1;
  }

  currentAt(epoch: string, nowMs: number): boolean {
    return this.epoch === epoch && (this.untilMs === null || nowMs < this.untilMs);
  }

  static async read(
    sql: Pick<SqlConnection, 'query'>,
    labels: TrackLabels,
    filter: SuggestionFilter,
  ): Promise<EligibleTracks> {
    const statement = eligibleTracksSql(filter);
    const rows = await sql.query<{ epoch: string | null; untilMs: number | null; trackIds: string[] }>(
      statement.text,
      statement.values,
    );
    const row = withCatalogEpoch(rows[0]);
    const eligible = row.trackIds.map((id) => labels.labelOf(id));
    const bits = new Uint8Array(labels.size);
    for (const label of eligible) bits[label] = 1;
    return new EligibleTracks(row.epoch, row.untilMs === null ? null : Number(row.untilMs), bits);
  }
}
