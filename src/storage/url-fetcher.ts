import { createHash, randomUUID } from 'node:crypto';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { AppError, badInput } from '../common/errors';
import { writeToFile } from './write-to-file';

export interface UrlFetchPolicy {
  /** Host names allowed ("cdn.example.com", or "*.example.com" for its subdomains). Empty: no URL ingestion. */
  allowlist: string[];
  maxBytes: number;
  /** Longest silence between two packets of a download. */
  timeoutMs: number;
  /** Longest whole download, however steadily the bytes arrive (a 1 byte/s source is cut here). */
  totalTimeoutMs: number;
  /** Development and tests only: also fetch from loopback and private networks. */
  allowPrivateAddresses: boolean;
}

export interface Fetched {
  /** media:// reference of the stored copy */
  uri: string;
  sha256: string;
  sizeBytes: number;
  /** False when identical bytes were already stored (and may belong to another track). */
  created?: boolean;
}

const PUBLIC = 'unicast';

/**
 * Downloads a catalog file from an allowlisted host into the media root. Refuses other hosts,
 * non-http(s) schemes, redirects, and any host resolving to a loopback, private, link-local or
 * otherwise non-public address; the connection goes to the address that was checked (no DNS
 * rebinding between check and request).
 */
export async function fetchToMediaRoot(
  rawUrl: string,
  argument: string,
  policy: UrlFetchPolicy,
  mediaRoot: string,
): Promise<Fetched> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw badInput(`${argument}: not a valid URL`, { argument });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw badInput(`${argument}: only http(s) URLs`, { argument });
  if (url.username || url.password) throw badInput(`${argument}: credentials in URLs are not accepted`, { argument });
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (!policy.allowlist.some((entry) => hostMatches(host, entry.toLowerCase()))) {
    throw badInput(`${argument}: host ${host} is not in MEDIA_URL_ALLOWLIST`, { argument });
  }
  const address = await resolvePublic(host, argument, policy.allowPrivateAddresses);
  const dir = path.join(mediaRoot, 'fetched');
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${randomUUID()}`);
  try {
    const { sha256, sizeBytes } = await download(url, address, tmp, policy, argument);
    const ext = path
      .extname(url.pathname)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, '')
      .slice(0, 8);
    const name = `${sha256}${ext}`;
    const created = !fs.existsSync(path.join(dir, name));
    fs.renameSync(tmp, path.join(dir, name));
    return { uri: `media://fetched/${name}`, sha256, sizeBytes, created };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function hostMatches(host: string, entry: string): boolean {
  return entry.startsWith('*.') ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1 : host === entry;
}

async function resolvePublic(
  host: string,
  argument: string,
  allowPrivate: boolean,
): Promise<{ address: string; family: number }> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = ipaddr.isValid(host)
      ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
      : await dns.lookup(host, { all: true });
  } catch {
    throw badInput(`${argument}: host ${host} does not resolve`, { argument });
  }
  // Every address must be public: a host answering with one internal address is refused whole.
  const internal = addresses.filter((a) => ipaddr.process(a.address).range() !== PUBLIC);
  if (addresses.length === 0 || (internal.length > 0 && !allowPrivate)) {
    throw badInput(`${argument}: host ${host} resolves to an internal address; refused`, { argument });
  }
  return addresses[0]!;
}

/** Why a transfer was cut; decides the message the caller sees. */
type Cut = 'idle' | 'total' | undefined;

/**
 * Streams the body through a size check and a hash into `file` (writeToFile), so an error
 * in any of the three (limit crossed, connection lost, disk full, a deadline) reaches the caller
 * and every stream is torn down; a write stream destroyed with writes pending must never emit an
 * unhandled 'error' (that took the whole API process down).
 */
async function download(
  url: URL,
  target: { address: string; family: number },
  file: string,
  policy: UrlFetchPolicy,
  argument: string,
): Promise<{ sha256: string; sizeBytes: number }> {
  const fail = (message: string) => badInput(`${argument}: ${message}`, { argument });
  // timeoutMs bounds silence between packets; the total deadline bounds a source that trickles.
  const deadline = AbortSignal.timeout(policy.totalTimeoutMs);
  let cut: Cut;
  deadline.addEventListener('abort', () => (cut ??= 'total'), { once: true });
  const describe = (err: unknown): Error => {
    if (err instanceof AppError) return err;
    if (cut === 'total') return fail(`download took longer than the limit of ${policy.totalTimeoutMs} ms`);
    if (cut === 'idle') return fail(`download stalled for more than ${policy.timeoutMs} ms`);
    return fail(`download failed: ${err instanceof Error ? err.message : String(err)}`);
  };

  const res = await request(url, target, policy, deadline, () => (cut ??= 'idle')).catch((err: unknown) => {
    throw describe(err);
  });
  if (res.statusCode !== 200) {
    res.destroy();
    throw fail(
      `download answered HTTP ${res.statusCode ?? '?'}${res.headers.location ? ' (redirects are not followed)' : ''}`,
    );
  }
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > policy.maxBytes) {
    res.destroy();
    throw fail(`file is ${declared} bytes, above the limit of ${policy.maxBytes}`);
  }

  const hash = createHash('sha256');
  const size = await writeToFile(file, res, {
    limit: { maxBytes: policy.maxBytes, tooLarge: () => fail(`file is above the limit of ${policy.maxBytes} bytes`) },
    hash,
    signal: deadline,
  }).catch((err: unknown) => {
    throw describe(err);
  });
  if (size === 0) throw fail('file is empty');
  return { sha256: hash.digest('hex'), sizeBytes: size };
}

/** Sends the GET to the checked address; resolves with the response head. */
function request(
  url: URL,
  target: { address: string; family: number },
  policy: UrlFetchPolicy,
  signal: AbortSignal,
  onIdle: () => void,
): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      url,
      {
        timeout: policy.timeoutMs,
        signal,
        lookup: (_host, _opts, cb) => cb(null, [target] as never, target.family),
      },
      resolve,
    );
    req.on('timeout', () => {
      onIdle();
      req.destroy(new Error('timeout'));
    });
    // Stays attached after the response: a socket error then also tears down the body stream.
    req.on('error', reject);
  });
}
