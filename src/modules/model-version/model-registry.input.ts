import { IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType } from 'type-graphql';
import { MAX_NOTES_LENGTH } from './model-registry.service';

@InputType({ description: 'A model folder to register, uploaded as a zip' })
export class RegisterModelVersionInput {
  @Field({
    description:
      'mediaUri of your upload of a .zip of the model folder (manifest.json with sha256 for every file, ' +
      'query.onnx, bgm.onnx, optional reference queries): POST /media/uploads or createUpload(kind: MODEL)',
  })
  @Length(1, 1024)
  archive!: string;

  @Field(() => ID, { nullable: true, description: 'The version this one was trained from or replaces (lineage)' })
  @IsUUID('all', { message: 'parentVersionId must be a UUID' })
  parentVersionId?: string;

  @Field({ nullable: true, description: 'What produced it: data snapshot, training command (lineage)' })
  @MaxLength(MAX_NOTES_LENGTH)
  notes?: string;
}

@ArgsType()
export class EvaluateModelVersionArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => Float, {
    defaultValue: 0.2,
    description: "Share of the creators' choices, the most recent, to evaluate on (as dataset:from-platform holds out)",
  })
  @Min(0.01)
  @Max(0.9)
  heldOutFraction!: number;
}

@ArgsType()
export class ActivateModelVersionArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field({ defaultValue: false, description: 'Activate even though the gate found it significantly worse' })
  force!: boolean;
}

@ArgsType()
export class RetireModelVersionArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field({ nullable: true, description: 'Why, kept on the version as statusReason' })
  @MaxLength(MAX_NOTES_LENGTH)
  reason?: string;
}

@ArgsType()
export class SetCanaryShareArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => Float, {
    description:
      'Share of the videos asking suggestBgm that this CANDIDATE serves, 0 to 1 (0 stops the canary); ' +
      'a video keeps its arm while the share stands',
  })
  @Min(0)
  @Max(1)
  share!: number;
}
