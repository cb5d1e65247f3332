import { ConfigError, loadConfig } from '../../../src/config/config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
};

describe('loadConfig: media store (issue 18)', () => {
  it('keeps media in the local folder by default', () => {
    expect(loadConfig({}).mediaStore).toEqual({ kind: 'local' });
  });

  it('reads an S3-compatible store: endpoint, bucket, region, path style, keys', () => {
    const config = loadConfig({
      MEDIA_STORE: 's3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_PUBLIC_ENDPOINT: 'https://media.example.com',
      S3_BUCKET: 'bgm-media',
      S3_REGION: 'eu-west-1',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config.mediaStore).toEqual({
      kind: 's3',
      endpoint: 'http://minio:9000',
      publicEndpoint: 'https://media.example.com',
      bucket: 'bgm-media',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      presignExpirySeconds: 900,
      requestTimeoutMs: 30_000,
    });
    // No keys: the SDK's default chain (instance role, IRSA).
    expect(loadConfig({ MEDIA_STORE: 's3', S3_BUCKET: 'bgm-media' }).mediaStore).toMatchObject({
      credentials: undefined,
      endpoint: undefined,
      forcePathStyle: false,
    });
  });

  it('lists every bad media-store variable at once', () => {
    expect(problemsOf({ MEDIA_STORE: 's3', S3_ACCESS_KEY_ID: 'only-one' })).toEqual([
      'S3_BUCKET: required when MEDIA_STORE=s3',
      'S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: give both or neither (neither: the SDK default chain)',
    ]);
    const bad = problemsOf({
      MEDIA_STORE: 'gcs',
      S3_ENDPOINT: 'ftp://x',
      S3_BUCKET: 'Not_A_Bucket',
      S3_PRESIGN_EXPIRY_SECONDS: '5',
      S3_FORCE_PATH_STYLE: 'yes',
    });
    expect(bad.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining([
        'MEDIA_STORE',
        'S3_ENDPOINT',
        'S3_BUCKET',
        'S3_PRESIGN_EXPIRY_SECONDS',
        'S3_FORCE_PATH_STYLE',
      ]),
    );
  });
});
