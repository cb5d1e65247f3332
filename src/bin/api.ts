import 'reflect-metadata';
import cluster from 'node:cluster';
import { runApiCluster } from '../app/api-cluster';
import { loadConfigOrExit, runUntilSignal } from '../app/run-until-signal';
import { startApp } from '../app/start-app';
import { createLogger } from '../common/logger';
import { answerClusterMetricsFromStart } from '../metrics/cluster-metrics';

/**
 * `npm start`: the API (and, on the embedded default, the job handlers in-process). With
 * API_PROCESSES > 1 this process is the cluster's primary and each of its processes runs this file
 * again as one API (api-cluster.ts).
 */
const config = loadConfigOrExit();
if (cluster.isPrimary && config.apiProcesses > 1) {
  runApiCluster(config, createLogger(config.logLevel, { role: 'api-primary' }), __filename);
} else {
  if (cluster.isWorker) answerClusterMetricsFromStart();
  runUntilSignal('api', (c, logger) => startApp(c, logger, 'api'), config);
}
