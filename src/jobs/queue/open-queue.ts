import type { AppConfig } from '../../config/config';
import type { Logger } from '../../common/logger';
import { InProcessQueue } from './in-process.queue';
import type { JobQueue } from './job-queue';
import { NatsQueue } from './nats.queue';

export async function openQueue(config: AppConfig['queue'], logger: Logger): Promise<JobQueue> {
  return config.kind === 'nats'
    ? NatsQueue.connect(
        {
          servers: config.servers,
          stream: config.stream,
          subjectPrefix: config.subjectPrefix,
          replicas: config.replicas,
        },
        logger,
      )
    : new InProcessQueue();
}
