/** Writes schema.graphql from the type-graphql resolvers (tests fail when the file drifts). */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../common/paths';
import { printAppSchema } from '../app/schema';

printAppSchema()
  .then((sdl) => fs.writeFileSync(path.join(projectRoot(), 'schema.graphql'), sdl))
  .catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
