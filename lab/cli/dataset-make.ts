/**
 * Generates a synthetic fine-grained game-video dataset with voice-overs over real licensed music
 * (docs/DATASET.md). Usage:
 *   npm run dataset:make -- --music DIR --out DIR [--preset small|full] [--videos N] [--seed S]
 *     [--tracks N] [--min-seconds S] [--max-seconds S] [--test-fraction F] [--license-from PACKAGE] [--license-map FILE]
 *     [--voice-strength X] [--voice-noise X] [--video-strength X] [--video-noise X]
 *     [--voice-gain-range DB] [--voice-max-gap-beats N] [--voice-level-lines true|false]
 *   Knob defaults are the preset's (lab/dataset/presets.ts PRESET_KNOBS).
 *     [--concurrency N] [--force]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_DELIVERY } from '../dataset/generation-rule';
import { makeDataset } from '../dataset/make-dataset';
import { isPresetName, LIMITS, PRESET_KNOBS, PRESETS, TEST_FRACTION } from '../dataset/presets';
import { readLicenseMap } from '../dataset/track-license';

function numberFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  [min, max]: readonly [number, number],
  integer = false,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${raw}`);
  }
  return value;
}

async function main() {
  const { values } = parseArgs({
    options: {
      music: { type: 'string' },
      out: { type: 'string' },
      preset: { type: 'string', default: 'small' },
      videos: { type: 'string' },
      tracks: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'min-seconds': { type: 'string' },
      'max-seconds': { type: 'string' },
      'test-fraction': { type: 'string' },
      'license-from': { type: 'string' },
      'license-map': { type: 'string' },
      'voice-strength': { type: 'string' },
      'voice-noise': { type: 'string' },
      'video-strength': { type: 'string' },
      'video-noise': { type: 'string' },
      'voice-gain-range': { type: 'string' },
      'voice-max-gap-beats': { type: 'string' },
      'voice-level-lines': { type: 'string' },
      concurrency: { type: 'string', default: '2' },
      force: { type: 'boolean', default: false },
    },
  });
  if (!values.music || !values.out) throw new Error('--music DIR and --out DIR are required');
  if (!isPresetName(values.preset)) throw new Error(`--preset must be small or full, got ${values.preset}`);
  const base = PRESETS[values.preset];
  const preset = {
    ...base,
    videos: numberFlag('videos', values.videos, base.videos, LIMITS.videos, true),
    tracks: numberFlag('tracks', values.tracks, base.tracks, LIMITS.tracks, true),
    minVideoSec: numberFlag('min-seconds', values['min-seconds'], base.minVideoSec, LIMITS.videoSec),
    maxVideoSec: numberFlag('max-seconds', values['max-seconds'], base.maxVideoSec, LIMITS.videoSec),
    testFraction: numberFlag('test-fraction', values['test-fraction'], TEST_FRACTION, [0, 1]),
  };
  if (preset.minVideoSec > preset.maxVideoSec) throw new Error('--min-seconds must not exceed --max-seconds');
  const unit = [0, 1] as const;
  const levelLines = values['voice-level-lines'];
  if (levelLines !== undefined && levelLines !== 'true' && levelLines !== 'false')
    throw new Error(`--voice-level-lines must be true or false, got ${levelLines}`);
  const defaults = PRESET_KNOBS[values.preset];
  const delivery = defaults.delivery ?? DEFAULT_DELIVERY;
  const knobs = {
    voice: {
      strength: numberFlag('voice-strength', values['voice-strength'], defaults.voice.strength, unit),
      noise: numberFlag('voice-noise', values['voice-noise'], defaults.voice.noise, unit),
    },
    video: {
      strength: numberFlag('video-strength', values['video-strength'], defaults.video.strength, unit),
      noise: numberFlag('video-noise', values['video-noise'], defaults.video.noise, unit),
    },
    delivery: {
      gainRangeDb: numberFlag('voice-gain-range', values['voice-gain-range'], delivery.gainRangeDb, [0, 40]),
      maxGapBeats: numberFlag(
        'voice-max-gap-beats',
        values['voice-max-gap-beats'],
        delivery.maxGapBeats,
        [1, 16],
        true,
      ),
      levelLines: levelLines === undefined ? delivery.levelLines : levelLines === 'true',
    },
  };
  const started = process.hrtime.bigint();
  const result = await makeDataset({
    musicDir: values.music,
    outDir: values.out,
    seed: numberFlag('seed', values.seed, 1, [0, 2 ** 32 - 1], true),
    presetName: values.preset,
    preset,
    knobs,
    licenseFrom: values['license-from'],
    licenseMap: values['license-map'] ? readLicenseMap(values['license-map']) : undefined,
    concurrency: numberFlag('concurrency', values.concurrency, 2, LIMITS.concurrency, true),
    force: values.force,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${result.videos} videos over ${result.tracks} tracks in ${seconds.toFixed(1)} s: ${result.manifestPath}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
