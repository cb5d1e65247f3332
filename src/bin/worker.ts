import 'reflect-metadata';
import { startApp } from '../app/start-app';
import { createLogger } from '../common/logger';
import { runUntilSignal } from '../app/run-until-signal';

/** `npm run worker`: consumes the job queue (NATS JetStream in production) with the embedding handlers. */
runUntilSignal((config) => startApp(config, createLogger(config.logLevel, { role: 'worker' }), 'worker'));
