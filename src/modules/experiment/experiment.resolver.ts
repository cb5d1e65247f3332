import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { IdArgs } from '../../graphql/args';
import type { ArmRecord } from './experiment.repository';
import {
  CreateExperimentInput,
  ExperimentIdArgs,
  ExperimentListArgs,
  SetExperimentStatusArgs,
} from './experiment.input';
import { Experiment, ExperimentArm } from './experiment.type';
import { configTags } from './recommenders';
import { ExperimentResults } from './results.type';
import type { ExperimentService } from './experiment.service';

/** The services this resolver reads from the request context. */
export type ExperimentContext = RequestContext<{ experiments: ExperimentService }>;

@Resolver(() => Experiment)
export class ExperimentResolver {
  @Authorized('admin')
  @Mutation(() => Experiment, { description: 'Sets up a DRAFT experiment comparing 2-8 arms over READY videos' })
  createExperiment(
    @Arg('input', () => CreateExperimentInput) input: CreateExperimentInput,
    @Ctx() ctx: ExperimentContext,
  ) {
    return ctx.services.experiments.createExperiment(ctx.principal, input);
  }

  @Authorized('admin')
  @Mutation(() => Experiment, { description: 'DRAFT -> RUNNING -> CLOSED (or DRAFT -> CLOSED); CLOSED is final' })
  setExperimentStatus(@Args() { id, status }: SetExperimentStatusArgs, @Ctx() ctx: ExperimentContext) {
    return ctx.services.experiments.setStatus(ctx.principal, id, status);
  }

  @Authorized('admin')
  @Query(() => Experiment)
  experiment(@Args() { id }: IdArgs, @Ctx() ctx: ExperimentContext) {
    return ctx.services.experiments.getExperiment(ctx.principal, id);
  }

  @Authorized('admin')
  @Query(() => [Experiment], { description: 'Newest first, up to MAX_PAGE_SIZE' })
  experiments(@Args() { status }: ExperimentListArgs, @Ctx() ctx: ExperimentContext) {
    return ctx.services.experiments.listExperiments(ctx.principal, status);
  }

  @Authorized('admin')
  @Query(() => ExperimentResults, {
    description: "Preference tables (the paper's Tables 2-3) with intervals and tests",
  })
  experimentResults(@Args() { experimentId }: ExperimentIdArgs, @Ctx() ctx: ExperimentContext) {
    return ctx.services.experiments.results(ctx.principal, experimentId);
  }
}

@Resolver(() => ExperimentArm)
export class ExperimentArmResolver {
  @FieldResolver(() => [String])
  tags(@Root() arm: ArmRecord): string[] {
    return configTags(arm.config);
  }
}
