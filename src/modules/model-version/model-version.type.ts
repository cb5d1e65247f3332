import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';

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
