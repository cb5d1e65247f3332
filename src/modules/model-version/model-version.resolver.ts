import { Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { IdArgs } from '../../graphql/args';
import { ModelVersion } from './model-version.type';
import type { ModelVersionService } from './model-version.service';

/** The services this resolver reads from the request context. */
export type ModelVersionContext = RequestContext<{ models: ModelVersionService }>;

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true, description: 'The model version suggestions come from' })
  activeModelVersion(@Ctx() ctx: ModelVersionContext) {
    return ctx.services.models.active();
  }

  @Authorized('admin')
  @Query(() => [ModelVersion], { description: 'Every registered model version, newest first' })
  modelVersions(@Ctx() ctx: ModelVersionContext) {
    return ctx.services.models.list(ctx.principal);
  }

  @Authorized('admin')
  @Mutation(() => ModelVersion, {
    description:
      'Starts the switch to this version: the catalog is re-embedded under it and it becomes active once it covers ' +
      'every READY track. Queries keep using the current version until then.',
  })
  activateModelVersion(@Args() { id }: IdArgs, @Ctx() ctx: ModelVersionContext) {
    return ctx.services.models.activate(ctx.principal, id);
  }
}
