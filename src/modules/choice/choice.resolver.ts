import { Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { listComplexity, PageArgs } from '../../graphql/args';
import { RecordBgmChoiceArgs } from './choice.input';
import { BgmChoice, BgmChoiceConnection } from './choice.type';
import type { ChoiceService } from './choice.service';

/** The services this resolver reads from the request context. */
export type ChoiceContext = RequestContext<{ choices: ChoiceService }>;

@Resolver(() => BgmChoice)
export class ChoiceResolver {
  @Authorized('app')
  @Mutation(() => BgmChoice, { description: 'Records which suggested track the creator used for their video' })
  recordBgmChoice(@Args() args: RecordBgmChoiceArgs, @Ctx() ctx: ChoiceContext) {
    return ctx.services.choices.recordBgmChoice(ctx.principal, args);
  }

  @Authorized('admin')
  @Query(() => BgmChoiceConnection, {
    description: 'Creators’ choices, oldest first, for export as training data',
    complexity: listComplexity,
  })
  bgmChoices(@Args() { first, after }: PageArgs, @Ctx() ctx: ChoiceContext) {
    return ctx.services.choices.listChoices(ctx.principal, first, after);
  }
}
