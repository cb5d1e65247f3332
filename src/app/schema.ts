import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../graphql/auth-checker';
import { type JobAdminContext, JobResolver } from '../jobs/admin/job.resolver';
import { type ChoiceContext, ChoiceResolver } from '../modules/choice/choice.resolver';
import {
  type ExperimentContext,
  ExperimentArmResolver,
  ExperimentResolver,
} from '../modules/experiment/experiment.resolver';
import { type PreferenceContext, PreferenceResolver } from '../modules/experiment/preference.resolver';
import { type IngestContext, IngestResolver } from '../modules/ingest/ingest.resolver';
import { type LicenseContext, LicenseResolver } from '../modules/license/license.resolver';
import { type ModelVersionContext, ModelVersionResolver } from '../modules/model-version/model-version.resolver';
import {
  type SuggestionContext,
  SuggestionResolver,
  SuggestionSoundtrackResolver,
} from '../modules/suggestion/suggestion.resolver';
import { type PreviewRenderContext, PreviewRenderResolver } from '../modules/preview-render/preview-render.resolver';
import { type TrackContext, TrackResolver } from '../modules/track/track.resolver';
import { type UploadContext, UploadResolver } from '../modules/video/upload.resolver';
import { type VideoContext, VideoResolver } from '../modules/video/video.resolver';

export const RESOLVERS = [
  TrackResolver,
  VideoResolver,
  UploadResolver,
  IngestResolver,
  SuggestionResolver,
  SuggestionSoundtrackResolver,
  ModelVersionResolver,
  JobResolver,
  LicenseResolver,
  ExperimentResolver,
  ExperimentArmResolver,
  PreferenceResolver,
  ChoiceResolver,
  PreviewRenderResolver,
] as const;

/** Every service the resolvers above read from the request context (the union of their slices). */
export type ResolverServices = (TrackContext &
  VideoContext &
  UploadContext &
  IngestContext &
  SuggestionContext &
  ModelVersionContext &
  JobAdminContext &
  LicenseContext &
  ExperimentContext &
  PreferenceContext &
  ChoiceContext &
  PreviewRenderContext)['services'];

let built: Promise<GraphQLSchema> | undefined;

/** The schema is the same for every server in the process; build it once. */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    validate: { forbidUnknownValues: true, stopAtFirstError: false },
  });
  return built;
}

/** The committed schema.graphql text (sorted, so that reordering code does not show as drift). */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
