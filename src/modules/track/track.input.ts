import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { MediaStatus } from '../common/enums.type';

@InputType({ description: 'Catalog filter; all given conditions must hold' })
export class TrackFilterInput {
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of title or artist' })
  @IsOptional()
  @Length(1, 200)
  search?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(300)
  artist?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  tag?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  mood?: string;

  @Field(() => MediaStatus, { nullable: true })
  status?: MediaStatus;

  @Field({ nullable: true, defaultValue: false, description: 'Also list retired tracks' })
  includeRetired?: boolean;
}
