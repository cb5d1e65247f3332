import path from 'node:path';
import type { AppConfig } from '../config/config';
import { LocalMediaStorage, type MediaStorage } from './media-storage';
import { S3MediaStorage } from './s3-media-storage';

/** The configured media store: the local folder (embedded default) or an S3-compatible bucket. */
export function openMediaStorage(config: AppConfig): MediaStorage {
  const { maxMediaBytes } = config.limits;
  switch (config.mediaStore.kind) {
    case 'local':
      return new LocalMediaStorage(config.mediaRoot, maxMediaBytes, config.urlFetch);
    case 's3':
      // Uploads are hashed and jobs read their media in this folder; nothing stays in it.
      return new S3MediaStorage(
        config.mediaStore,
        maxMediaBytes,
        path.join(config.dataDir, 'media-scratch'),
        config.urlFetch,
      );
  }
}
