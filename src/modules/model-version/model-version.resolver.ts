import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { ModelVersion } from './model-version.type';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true, description: 'The model version suggestions come from' })
  activeModelVersion(@Ctx() ctx: GraphQLContext) {
    return ctx.services.models.active();
  }

  @Authorized('admin')
  @Query(() => [ModelVersion], { description: 'Every registered model version, newest first' })
  modelVersions(@Ctx() ctx: GraphQLContext) {
    return ctx.services.models.list(ctx.principal);
  }
}
