import 'reflect-metadata';
import { startApp } from '../app/start-app';
import { runUntilSignal } from '../app/run-until-signal';

/** `npm start`: the API (and, on the embedded default, the job handlers in-process). */
runUntilSignal('api', (config, logger) => startApp(config, logger, 'api'));
