import { ArrayMaxSize, ArrayMinSize, IsOptional, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { MAX_ARM_TAGS, MAX_ARMS, MAX_EXPERIMENT_VIDEOS } from './experiment.service';
import { ArmKind, ExperimentStatus, PreferenceChoice } from './experiment.type';

@InputType({ description: 'One recommender to compare' })
export class ExperimentArmInput {
  @Field({ description: 'Name for the results (never shown to raters)' })
  @Length(1, 100)
  label!: string;

  @Field(() => ArmKind)
  kind!: ArmKind;

  @Field(() => ID, { nullable: true, description: 'Required for MODEL_VERSION, refused otherwise' })
  @IsOptional()
  @IsUUID('all', { message: 'modelVersionId must be a UUID' })
  modelVersionId?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Required for TAG_SEARCH: matched against track tags and moods',
  })
  @IsOptional()
  @ArrayMaxSize(MAX_ARM_TAGS)
  @Length(1, 64, { each: true })
  tags?: string[] | null;
}

@InputType()
export class CreateExperimentInput {
  @Field()
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;

  @Field(() => [ExperimentArmInput])
  @ArrayMinSize(2)
  @ArrayMaxSize(MAX_ARMS)
  @ValidateNested()
  arms!: ExperimentArmInput[];

  @Field(() => [ID], { description: 'READY videos (of any owner) the raters will judge' })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EXPERIMENT_VIDEOS)
  @IsUUID('all', { each: true, message: 'videoIds must be UUIDs' })
  videoIds!: string[];
}

@ArgsType()
export class SetExperimentStatusArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => ExperimentStatus)
  status!: ExperimentStatus;
}

@ArgsType()
export class ExperimentIdArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'experimentId must be a UUID' })
  experimentId!: string;
}

@ArgsType()
export class ExperimentListArgs {
  @Field(() => ExperimentStatus, { nullable: true })
  status?: ExperimentStatus | null;
}

@ArgsType()
export class SubmitPreferenceArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'taskId must be a UUID' })
  taskId!: string;

  @Field(() => PreferenceChoice)
  choice!: PreferenceChoice;
}
