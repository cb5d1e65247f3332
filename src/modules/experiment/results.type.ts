import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Experiment, ExperimentArm } from './experiment.type';

@ObjectType({ description: 'A share of the votes on a pair, in percent, with its Wilson 95% interval' })
export class PreferenceShare {
  @Field(() => Int)
  count!: number;

  @Field(() => Float, { description: 'Percent of all votes on the pair (neutral included)' })
  percent!: number;

  @Field(() => Float)
  ci95Lower!: number;

  @Field(() => Float)
  ci95Upper!: number;
}

@ObjectType({ description: "One row of the paper's Tables 2-3: first arm preferred / neutral / second arm preferred" })
export class PairPreference {
  @Field(() => ExperimentArm)
  firstArm!: ExperimentArm;

  @Field(() => ExperimentArm)
  secondArm!: ExperimentArm;

  @Field(() => Int)
  total!: number;

  @Field(() => PreferenceShare)
  first!: PreferenceShare;

  @Field(() => PreferenceShare)
  neutral!: PreferenceShare;

  @Field(() => PreferenceShare)
  second!: PreferenceShare;

  @Field(() => Int, { description: 'Non-neutral votes' })
  decisive!: number;

  @Field(() => Float, {
    description: 'Two-sided exact binomial (sign) test of equal preference on the non-neutral votes',
  })
  signTestP!: number;

  @Field(() => Int, { description: 'Votes on tasks where both arms suggested the same track (ties by construction)' })
  identicalPairs!: number;

  @Field({ description: "Tab-separated, laid out like the paper's Table 3" })
  table!: string;
}

@ObjectType({ description: "An arm's record over all its pairs" })
export class ArmStanding {
  @Field(() => ExperimentArm)
  arm!: ExperimentArm;

  @Field(() => Int)
  wins!: number;

  @Field(() => Int)
  losses!: number;

  @Field(() => Int)
  neutral!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Bradley-Terry strength (MM fit; a neutral vote is half a win for each side); sums to 1. Only with more than two arms.',
  })
  strength!: number | null;
}

@ObjectType({ description: 'The subjective evaluation of an experiment' })
export class ExperimentResults {
  @Field(() => Experiment)
  experiment!: Experiment;

  @Field(() => Int)
  totalVotes!: number;

  @Field(() => Int)
  raters!: number;

  @Field(() => [PairPreference])
  pairs!: PairPreference[];

  @Field(() => [ArmStanding])
  arms!: ArmStanding[];

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether the Bradley-Terry fit converged; null when not fitted',
  })
  bradleyTerryConverged!: boolean | null;
}
