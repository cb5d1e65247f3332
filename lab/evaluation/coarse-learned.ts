/**
 * A simulation of storing a timed model's windows more cheaply (docs/RESULTS.md, round 21): the
 * learned part of each window's embedding is taken from the window that starts at the last
 * multiple of a coarser spacing, while the timing envelope (its last `timingBins` dimensions,
 * training/mrcmv/timing.py) stays per window. Served that way, a track would store the learned
 * part once per coarse window and 31 numbers per fine window. Lab only.
 */

/** The timing head's size from a model's manifest (`training.timing.bins`), or undefined without one. */
export function timingBins(training: unknown): number | undefined {
  const bins = (training as { timing?: { bins?: unknown } } | undefined)?.timing?.bins;
  return typeof bins === 'number' && Number.isInteger(bins) && bins > 0 ? bins : undefined;
}

/**
 * `windows[k]` starts at k x hopSeconds. Each output window keeps its own last `bins` dimensions and
 * takes the others from window floor(k x hop / learnedHop) x learnedHop / hop. Both parts are unit
 * length in the served embedding and weighted before concatenation, so the result stays unit length.
 */
export function coarseLearnedWindows(
  windows: readonly number[][],
  hopSeconds: number,
  learnedHopSeconds: number,
  bins: number,
): number[][] {
  const every = Math.round(learnedHopSeconds / hopSeconds);
  if (every < 1 || Math.abs(every * hopSeconds - learnedHopSeconds) > 1e-9) {
    throw new RangeError(`learned spacing ${learnedHopSeconds} s is not a multiple of the window hop ${hopSeconds} s`);
  }
  const dims = windows[0]?.length ?? 0;
  if (windows.length > 0 && bins >= dims) {
    throw new RangeError(`timing bins ${bins} leave no learned part in ${dims} dimensions`);
  }
  return windows.map((w, k) => {
    const coarse = windows[Math.floor(k / every) * every]!;
    return [...coarse.slice(0, dims - bins), ...w.slice(dims - bins)];
  });
}
