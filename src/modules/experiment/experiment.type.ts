import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ArmKind, ExperimentStatus, PreferenceChoice } from '../../generated/prisma/enums';

registerEnumType(ExperimentStatus, {
  name: 'ExperimentStatus',
  description: 'DRAFT -> RUNNING (raters vote) -> CLOSED (final); DRAFT -> CLOSED also',
});
registerEnumType(ArmKind, {
  name: 'ArmKind',
  description:
    'MODEL_VERSION: nearest track under a model version; TAG_SEARCH: a track matching tags; RANDOM: any track',
});
registerEnumType(PreferenceChoice, {
  name: 'PreferenceChoice',
  description: 'Which preview the rater preferred, or neither',
});

export { ArmKind, ExperimentStatus, PreferenceChoice };

@ObjectType({ description: 'A recommender under comparison (admins only: raters never see arms)' })
export class ExperimentArm {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Order of creation; the "first" arm of a pair is the lower one' })
  position!: number;

  @Field()
  label!: string;

  @Field(() => ArmKind)
  kind!: ArmKind;

  @Field(() => ID, { nullable: true })
  modelVersionId!: string | null;

  @Field(() => [String], { description: 'TAG_SEARCH: the tags (matched against track tags and moods)' })
  tags!: string[];
}

/**
 * The fields every view of an experiment has; raters see no more (RaterExperiment). The schema
 * does not show it: no field returns it, the types that extend it inherit its fields.
 */
@ObjectType()
export abstract class ExperimentHeading {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  description!: string;
}

@ObjectType({ description: 'A blind A/B preference study between recommenders' })
export class Experiment extends ExperimentHeading {
  @Field(() => ExperimentStatus)
  status!: ExperimentStatus;

  @Field(() => [ExperimentArm])
  arms!: ExperimentArm[];

  @Field(() => Int)
  videoCount!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}
