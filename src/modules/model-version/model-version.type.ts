import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ModelStatus } from '../../generated/prisma/enums';

registerEnumType(ModelStatus, {
  name: 'ModelStatus',
  description: 'VALIDATING: a worker is probing it; CANDIDATE: may be activated; REJECTED: failed its probe; RETIRED',
});

@ObjectType({ description: 'A trained model; embeddings are stored per version and never mixed' })
export class ModelVersion {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  version!: string;

  @Field(() => Int)
  dims!: number;

  @Field()
  active!: boolean;

  @Field(() => ModelStatus)
  status!: ModelStatus;

  @Field(() => String, { nullable: true, description: 'Why it was REJECTED or RETIRED' })
  statusReason!: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Where it came from: archive, registering admin, parent version, notes, the manifest training record',
  })
  lineage!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "The worker's probe: output norms, run-to-run difference, timings",
  })
  probe!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'The offline gate (evaluateModelVersion): PREPARING, then DONE with recall, median rank and the paired test ' +
      'against the active version on held-out choices (result.verdict: better, level or worse; on a pass, canary: ' +
      'the rater experiment made and the share set), or FAILED with a reason',
  })
  evaluation!: Record<string, unknown> | null;

  @Field(() => Float, {
    description:
      'Share of the videos asking suggestBgm that this version serves as the canary (0: not a canary); ' +
      'set by setCanaryShare, or CANARY_SHARE when it passes the gate',
  })
  canaryShare!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When its latest canary started' })
  canaryStartedAt!: Date | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  metrics!: Record<string, unknown> | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  activatedAt!: Date | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Set while the version waits to cover the catalog before it becomes active',
  })
  activationRequestedAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
