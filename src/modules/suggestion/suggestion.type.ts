import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ModelVersion } from '../model-version/model-version.type';
import { License } from '../license/license.type';
import { Track } from '../track/track.type';

@ObjectType({ description: 'Where to cut a suggested track so that it fits the video and lands on the beat' })
export class MusicCut {
  @Field(() => Float, { description: 'Start in the track: a detected downbeat near the best-fitting window' })
  startSec!: number;

  @Field(() => Float, { description: 'End in the track: a whole number of bars after the start' })
  endSec!: number;

  @Field(() => Int, { description: 'Bars between start and end: the count closest to the video’s length' })
  bars!: number;

  @Field(() => Float, { description: 'Length of a bar (4 beats at the analysed tempo)' })
  barSec!: number;

  @Field(() => Float, { description: 'Fade-out ending at endSec (the last bar, at most 2 s)' })
  fadeOutSec!: number;

  @Field({ description: 'False when the track is shorter than the video: the cut ends with the track' })
  coversVideo!: boolean;
}

@ObjectType({ description: 'Music gain at a point of the video' })
export class GainKeyframe {
  @Field(() => Float, { description: 'Seconds from the start of the video' })
  timeSec!: number;

  @Field(() => Float, { description: 'Gain in dB (0: as mixed; negative: quieter)' })
  gainDb!: number;
}

@ObjectType({
  description: 'How loud the music plays under the voice-over: down while the creator speaks, up in the gaps',
})
export class DuckingPlan {
  @Field(() => [GainKeyframe], { description: 'Piecewise linear between keyframes, from 0 s to the video’s end' })
  keyframes!: GainKeyframe[];

  @Field(() => Float, { description: 'Gain under speech' })
  duckDb!: number;

  @Field({ description: 'The same curve as an ffmpeg audio filter for the cut music (t = 0 at the video’s start)' })
  ffmpegFilter!: string;
}

@ObjectType({ description: 'A suggested track for a video' })
export class Suggestion {
  @Field(() => Track)
  track!: Track;

  @Field(() => Float, { description: 'Cosine similarity of the video and the best 32 s window of the track, -1 to 1' })
  score!: number;

  @Field(() => Float, {
    description:
      'What suggestions are ordered by: score standardised against how well videos in general fit this track ' +
      '(how unusually well this video fits it), or score itself when the model has no reference queries',
  })
  relevance!: number;

  @Field(() => Int, { description: '1 for the best match' })
  rank!: number;

  @Field(() => Float, { description: 'Where in the track to start the music (start of its best-fitting 32 s window)' })
  startOffsetSec!: number;

  @Field(() => License, { description: 'The license under which this track may be used for the requested filter' })
  license!: License;

  @Field(() => [String], {
    description:
      'What moved this suggestion from the model’s own order, in words (e.g. ranked down for vocals under a ' +
      'talking voice-over); empty when nothing did',
  })
  reasons!: string[];

  @Field(() => MusicCut, {
    nullable: true,
    description: 'Where to cut the track for this video; null when the track has no detected tempo and downbeats',
  })
  cut!: MusicCut | null;

  @Field(() => DuckingPlan, {
    nullable: true,
    description: 'How to duck the music under the voice-over; null when the video has no voice-over timeline',
  })
  ducking!: DuckingPlan | null;
}

@ObjectType()
export class SuggestBgmPayload {
  @Field(() => ModelVersion, {
    description:
      'The version that ranked these suggestions: the active one, or the canary for the share of videos it serves',
  })
  modelVersion!: ModelVersion;

  @Field(() => [Suggestion])
  suggestions!: Suggestion[];
}

@ObjectType({ description: 'A track that sounds like another one' })
export class SimilarTrack {
  @Field(() => Track)
  track!: Track;

  @Field(() => Float)
  score!: number;

  @Field(() => Int)
  rank!: number;

  @Field(() => License)
  license!: License;
}
