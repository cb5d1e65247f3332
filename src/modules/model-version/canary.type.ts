import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ModelVersion } from './model-version.type';

@ObjectType({ description: 'A share with its Wilson 95% interval' })
export class Proportion {
  @Field(() => Float, { nullable: true, description: 'Null when there is nothing to divide by' })
  value!: number | null;

  @Field(() => Float)
  lower!: number;

  @Field(() => Float)
  upper!: number;
}

@ObjectType({ description: 'What one version served during a canary, and the choices creators made on it' })
export class CanaryArm {
  @Field(() => ModelVersion, { nullable: true, description: 'Null when the version was deleted since' })
  modelVersion!: ModelVersion | null;

  @Field(() => Int, { description: 'Videos whose suggestBgm this version served while the canary ran' })
  videos!: number;

  @Field(() => Int, { description: 'suggestBgm calls it served' })
  requests!: number;

  @Field(() => Int, { description: 'recordBgmChoice calls made on this arm' })
  choices!: number;

  @Field(() => Int)
  videosWithChoice!: number;

  @Field(() => Proportion, { description: 'Videos with a choice / videos served' })
  choiceRate!: Proportion;

  @Field(() => Int, { description: 'Choices whose rank in the suggestions the app reported' })
  rankedChoices!: number;

  @Field(() => Float, { nullable: true, description: 'Mean reported rank (1 = first suggestion)' })
  meanRank!: number | null;

  @Field(() => Proportion, { description: 'Share of the ranked choices among the first 3 suggestions' })
  topShare!: Proportion;
}

@ObjectType({ description: 'The online side of a canary: its arm against the version the gate compared it with' })
export class CanaryReport {
  @Field(() => ModelVersion)
  canary!: ModelVersion;

  @Field(() => CanaryArm)
  canaryArm!: CanaryArm;

  @Field(() => CanaryArm)
  baselineArm!: CanaryArm;

  @Field(() => Float, { description: 'Two-sided two-proportion z-test of the choice rates' })
  choiceRateP!: number;

  @Field(() => Float, { description: 'Two-sided Mann-Whitney test of the reported ranks' })
  rankP!: number;
}
