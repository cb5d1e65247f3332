import { Args, Authorized, Ctx, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { IdArgs, listComplexity, PageArgs } from '../../graphql/args';
import { Connection } from '../../graphql/connection.type';
import { Job } from '../job.type';
import type { JobAdminService } from './job-admin.service';

/** The services this resolver reads from the request context. */
export type JobAdminContext = RequestContext<{ jobs: JobAdminService }>;

@ObjectType()
export class JobConnection extends Connection(Job, 'Job') {}

@Resolver(() => Job)
export class JobResolver {
  @Authorized('admin')
  @Query(() => Job, { description: 'One background job, with its status and last error' })
  job(@Args() { id }: IdArgs, @Ctx() ctx: JobAdminContext) {
    return ctx.services.jobs.getJob(ctx.principal, id);
  }

  @Authorized('admin')
  @Query(() => JobConnection, { description: 'Dead-lettered jobs (FAILED), oldest first', complexity: listComplexity })
  failedJobs(@Args() { first, after }: PageArgs, @Ctx() ctx: JobAdminContext) {
    return ctx.services.jobs.failedJobs(ctx.principal, first, after);
  }

  @Authorized('admin')
  @Mutation(() => Job, { description: 'Queues a FAILED job again with a fresh attempt budget' })
  retryJob(@Args() { id }: IdArgs, @Ctx() ctx: JobAdminContext) {
    return ctx.services.jobs.retryJob(ctx.principal, id);
  }
}
