import { IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';

@ArgsType()
export class IdArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

/** Upper bounds here are a backstop; services check `first` against the configured MAX_PAGE_SIZE. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to MAX_PAGE_SIZE (default 100)' })
  @Min(1)
  @Max(1000)
  first!: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of the previous page' })
  @MaxLength(200)
  after?: string | null;
}

/** Complexity of a list field: its children times the number of items asked for. */
export const listComplexity = ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
  1 + childComplexity * Math.max(1, args.first ?? 20);
