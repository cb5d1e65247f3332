import 'reflect-metadata';
import { startApp } from '../app/start-app';
import { createLogger } from '../common/logger';
import { runUntilSignal } from '../app/run-until-signal';

/** `npm start`: the API (and, on the embedded default, the job handlers in-process). */
runUntilSignal((config) => startApp(config, createLogger(config.logLevel, { role: 'api' }), 'api'));
