import 'reflect-metadata';
import { startApp } from '../app/start-app';
import { runUntilSignal } from '../app/run-until-signal';

/** `npm run worker`: consumes the job queue (NATS JetStream in production) with the embedding handlers. */
runUntilSignal('worker', (config, logger) => startApp(config, logger, 'worker'));
