import { Field, Float, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'Music analysis of a track, computed at ingestion (docs/MUSIC_ANALYSIS.md). Rhythm and loudness are measured ' +
    'separately: a part that failed has its error set and its values null or empty; the track stays suggestible.',
})
export class TrackAnalysis {
  @Field(() => Int, { description: 'Version of the analyzer that computed this' })
  analyzerVersion!: number;

  @Field(() => Float, { nullable: true, description: 'Global tempo in beats per minute; null when no beat was found' })
  tempoBpm!: number | null;

  @Field(() => Int, { description: 'How many beats were found' })
  beatCount!: number;

  @Field(() => [Float], { description: 'Beat times in seconds from the start, ascending' })
  beats!: number[];

  @Field(() => [Float], { description: 'The beats that start a bar (4/4 assumed), in seconds' })
  downbeats!: number[];

  @Field(() => Float, { nullable: true, description: 'Seconds per value of energyDb' })
  energyHopSec!: number | null;

  @Field(() => [Float], { description: 'RMS level in dBFS per energyHopSec block, from the start' })
  energyDb!: number[];

  @Field(() => String, { nullable: true, description: 'Why tempo, beats and energy could not be computed' })
  rhythmError!: string | null;

  @Field(() => Float, { nullable: true, description: 'EBU R128 integrated loudness, LUFS' })
  loudnessLufs!: number | null;

  @Field(() => Float, { nullable: true, description: 'True peak (4x oversampled), dBTP' })
  truePeakDbtp!: number | null;

  @Field(() => Float, { nullable: true, description: 'EBU R128 loudness range, LU' })
  loudnessRangeLu!: number | null;

  @Field(() => String, { nullable: true, description: 'Why loudness could not be measured' })
  loudnessError!: string | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Share of the track a voice activity model (Silero VAD) hears as a voice, 0 to 1: spoken or rapped vocals ' +
      'read high, sung ones less reliably, instrumentals near 0. Null before analyzer version 2 or on error',
  })
  vocalPresence!: number | null;

  @Field(() => String, { nullable: true, description: 'Why vocal presence could not be estimated' })
  vocalError!: string | null;

  @Field(() => GraphQLISODateTime)
  analyzedAt!: Date;
}
