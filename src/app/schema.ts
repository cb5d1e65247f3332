import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ChoiceResolver } from '../modules/choice/choice.resolver';
import { ExperimentArmResolver, ExperimentResolver } from '../modules/experiment/experiment.resolver';
import { PreferenceResolver } from '../modules/experiment/preference.resolver';
import { IngestResolver } from '../modules/ingest/ingest.resolver';
import { JobResolver } from '../jobs/admin/job.resolver';
import { CatalogAdminResolver } from '../modules/license/license.resolver';
import { ModelVersionResolver } from '../modules/model-version/model-version.resolver';
import { SuggestionResolver } from '../modules/suggestion/suggestion.resolver';
import { TrackResolver } from '../modules/track/track.resolver';
import { VideoResolver } from '../modules/video/video.resolver';
import { authChecker } from '../graphql/auth-checker';

export const RESOLVERS = [
  TrackResolver,
  VideoResolver,
  IngestResolver,
  SuggestionResolver,
  ModelVersionResolver,
  JobResolver,
  CatalogAdminResolver,
  ExperimentResolver,
  ExperimentArmResolver,
  PreferenceResolver,
  ChoiceResolver,
] as const;

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
