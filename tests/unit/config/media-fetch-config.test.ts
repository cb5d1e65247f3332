import { ConfigError, loadConfig } from '../../../src/config/config';

describe('loadConfig: URL downloads (issue 14)', () => {
  it('bounds each download as a whole as well as its idle time', () => {
    expect(loadConfig({}).urlFetch).toMatchObject({ timeoutMs: 30_000, totalTimeoutMs: 120_000 });
    expect(loadConfig({ MEDIA_FETCH_TOTAL_TIMEOUT_MS: '5000' }).urlFetch.totalTimeoutMs).toBe(5000);
    expect(() => loadConfig({ MEDIA_FETCH_TOTAL_TIMEOUT_MS: '0' })).toThrow(ConfigError);
  });
});
