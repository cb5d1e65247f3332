import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { IdArgs } from '../../graphql/args';
import { ModelVersion } from './model-version.type';
import type { ModelVersionService } from './model-version.service';
import {
  ActivateModelVersionArgs,
  EvaluateModelVersionArgs,
  RegisterModelVersionInput,
  RetireModelVersionArgs,
  SetCanaryShareArgs,
} from './model-registry.input';
import { CanaryReport } from './canary.type';
import type { ModelCanaryService } from './model-canary';
import type { ModelGateService } from './model-gate';
import type { ModelRegistryService } from './model-registry.service';

/** The services this resolver reads from the request context. */
export type ModelVersionContext = RequestContext<{
  models: ModelVersionService;
  registry: ModelRegistryService;
  gate: ModelGateService;
  canary: ModelCanaryService;
}>;

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
  activateModelVersion(@Args() { id, force }: ActivateModelVersionArgs, @Ctx() ctx: ModelVersionContext) {
    return ctx.services.models.activate(ctx.principal, id, force);
  }

  @Authorized('admin')
  @Mutation(() => ModelVersion, {
    description:
      "The offline gate: ranks the creators' most recent choices under this CANDIDATE and under the active version " +
      '(once the catalog and those videos are embedded under both) and stores recall, median rank and a paired test ' +
      'as `evaluation`; activateModelVersion then refuses a candidate found significantly worse unless forced',
  })
  evaluateModelVersion(@Args() { id, heldOutFraction }: EvaluateModelVersionArgs, @Ctx() ctx: ModelVersionContext) {
    return ctx.services.gate.evaluate(ctx.principal, id, heldOutFraction);
  }

  @Authorized('admin')
  @Mutation(() => ModelVersion, {
    description:
      'Registers a model folder uploaded as a zip: checked against the contract and its hashes, stored in the media ' +
      'store, and VALIDATING until a worker has run both branches on a fixed probe input (then CANDIDATE or REJECTED)',
  })
  registerModelVersion(
    @Arg('input', () => RegisterModelVersionInput) input: RegisterModelVersionInput,
    @Ctx() ctx: ModelVersionContext,
  ) {
    return ctx.services.registry.register(ctx.principal, input);
  }

  @Authorized('admin')
  @Mutation(() => ModelVersion, {
    description: 'Takes a version out of use for good (never activated again); refused for the active version',
  })
  retireModelVersion(@Args() { id, reason }: RetireModelVersionArgs, @Ctx() ctx: ModelVersionContext) {
    return ctx.services.registry.retire(ctx.principal, id, reason);
  }

  @Authorized('admin')
  @Mutation(() => ModelVersion, {
    description:
      'Deletes a version, its embeddings and its stored files; refused for the active version and one an experiment compares',
  })
  deleteModelVersion(@Args() { id }: IdArgs, @Ctx() ctx: ModelVersionContext) {
    return ctx.services.registry.delete(ctx.principal, id);
  }

  @Authorized('admin')
  @Mutation(() => ModelVersion, {
    description:
      'The canary: this CANDIDATE, once it passed the gate against the active version, serves `share` of the videos ' +
      'asking suggestBgm (a hash of video and version picks them); every suggestion served meanwhile is counted per ' +
      'arm and each recordBgmChoice keeps its arm. 0 stops it; one canary at a time; activating any version ends it',
  })
  setCanaryShare(@Args() { id, share }: SetCanaryShareArgs, @Ctx() ctx: ModelVersionContext) {
    return ctx.services.canary.setShare(ctx.principal, id, share);
  }

  @Authorized('admin')
  @Query(() => CanaryReport, {
    description: "A canary's arms: videos and calls served, creators' choices and their reported ranks, with tests",
  })
  async canaryReport(@Args() { id }: IdArgs, @Ctx() ctx: ModelVersionContext) {
    const { model, baseline, comparison } = await ctx.services.canary.report(ctx.principal, id);
    const arm = ({ versionId: _, ...figures }: typeof comparison.canary, modelVersion: typeof model | null) => ({
      ...figures,
      modelVersion,
    });
    return {
      canary: model,
      canaryArm: arm(comparison.canary, model),
      baselineArm: arm(comparison.baseline, baseline),
      choiceRateP: comparison.choiceRateP,
      rankP: comparison.rankP,
    };
  }
}
