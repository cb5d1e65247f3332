/**
 * Small integers for track ids, shared by one process's vector indexes and eligibility sets: the
 * labels hnswlib stores and the positions of the sets' bitmaps. Grow-only: a label is never given
 * to another track, so a stale label can only name its own track.
 */
export class TrackLabels {
  private readonly byId = new Map<string, number>();
  private readonly ids: string[] = [];

  labelOf(trackId: string): number {
    let label = this.byId.get(trackId);
    if (label === undefined) {
      label = this.ids.length;
      this.ids.push(trackId);
      this.byId.set(trackId, label);
    }
    return label;
  }

  trackIdOf(label: number): string {
    const id = this.ids[label];
    if (id === undefined) throw new Error(`no track has label ${label}`);
    return id;
  }

  get size(): number {
    return this.ids.length;
  }
}
