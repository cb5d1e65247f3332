import { Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { ExperimentIdArgs, SubmitPreferenceArgs } from './experiment.input';
import { PreferenceTaskPayload, RaterExperiment, SubmitPreferencePayload } from './preference.type';
import type { PreferenceService } from './preference.service';

/** The services this resolver reads from the request context. */
export type PreferenceContext = RequestContext<{ preferences: PreferenceService }>;

@Resolver()
export class PreferenceResolver {
  @Authorized('rater')
  @Query(() => [RaterExperiment], { description: 'Experiments taking votes now' })
  raterExperiments(@Ctx() ctx: PreferenceContext) {
    return ctx.services.preferences.runningExperiments(ctx.principal);
  }

  @Authorized('rater')
  @Query(() => PreferenceTaskPayload, {
    description: 'The next blind pair for the caller (the same one until voted on or expired); task is null when done',
  })
  preferenceTask(@Args() { experimentId }: ExperimentIdArgs, @Ctx() ctx: PreferenceContext) {
    return ctx.services.preferences.nextTask(ctx.principal, experimentId);
  }

  @Authorized('rater')
  @Mutation(() => SubmitPreferencePayload, { description: 'One vote per rater and task: A, B or NEUTRAL' })
  submitPreference(@Args() { taskId, choice }: SubmitPreferenceArgs, @Ctx() ctx: PreferenceContext) {
    return ctx.services.preferences.submit(ctx.principal, taskId, choice);
  }
}
