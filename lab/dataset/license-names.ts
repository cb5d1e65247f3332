/** Short license names (SPDX-style) recognised in tags and Debian copyright files, and their URLs. */

export interface LicenseName {
  name: string;
  url?: string;
}

const CC_ELEMENT: Record<string, string> = {
  attribution: 'BY',
  sharealike: 'SA',
  noncommercial: 'NC',
  noderivs: 'ND',
  noderivatives: 'ND',
};

function creativeCommons(code: string, version: string | undefined): LicenseName {
  const lower = code.toLowerCase();
  const name = `CC-${lower.toUpperCase()}${version ? `-${version}` : ''}`;
  return version ? { name, url: `https://creativecommons.org/licenses/${lower}/${version}/` } : { name };
}

function gnu(family: 'GPL' | 'LGPL' | 'AGPL', version: string | undefined, orLater: boolean): LicenseName {
  if (!version) return { name: family };
  const v = version.includes('.') ? version : `${version}.0`;
  return {
    name: `${family}-${v}-${orLater ? 'or-later' : 'only'}`,
    url: `https://spdx.org/licenses/${family}-${v}-${orLater ? 'or-later' : 'only'}.html`,
  };
}

/** A license from a URL or a short string such as a Vorbis LICENSE tag ("GPL", "CC BY-SA 3.0", a URL). */
export function licenseFromTag(tag: string): LicenseName | null {
  const text = tag.trim();
  const url = /creativecommons\.org\/(?:licenses\/([a-z-]+)\/(\d\.\d)|publicdomain\/zero\/(1\.0))/i.exec(text);
  if (url)
    return url[3]
      ? { name: 'CC0-1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' }
      : creativeCommons(url[1] ?? '', url[2]);
  const cc = /^(?:CC[- ])?(BY(?:-(?:SA|NC|ND))*)[- ]?(\d\.\d)?$/i.exec(text);
  if (cc) return creativeCommons(cc[1] ?? '', cc[2]);
  if (/^CC0/i.test(text)) return { name: 'CC0-1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' };
  const gpl = /^(A|L)?GPL[- ]?v?(\d(?:\.\d)?)?(\+|-or-later)?$/i.exec(text);
  if (gpl) {
    const family = gpl[1] ? (gpl[1].toUpperCase() === 'A' ? 'AGPL' : 'LGPL') : 'GPL';
    return gnu(family, gpl[2], Boolean(gpl[3]));
  }
  return text === '' ? null : { name: text };
}

interface Found {
  at: number;
  license: LicenseName;
}

/**
 * The license a free-form copyright text states first (package copyright files list the main
 * work before bundled parts). Recognises GNU licenses, Creative Commons, MIT/Expat, public domain.
 */
export function licenseFromProse(text: string): LicenseName | null {
  const found: Found[] = [];
  const ccUrl = /creativecommons\.org\/licenses\/([a-z-]+)\/(\d\.\d)/i.exec(text);
  const ccIndex = text.search(/creative\s+commons/i);
  if (ccUrl) found.push({ at: ccUrl.index, license: creativeCommons(ccUrl[1] ?? '', ccUrl[2]) });
  else if (ccIndex >= 0) {
    const elements = /License\s+Elements[^:]*:\s*([A-Za-z ,-]+)/i.exec(text)?.[1] ?? 'Attribution';
    const codes = elements.split(/[\s,-]+/).flatMap((w) => CC_ELEMENT[w.toLowerCase()] ?? []);
    const version = /Attribution(?:[- ](?:ShareAlike|NonCommercial|NoDerivs|NoDerivatives))*[ -](\d\.\d)/.exec(
      text,
    )?.[1];
    found.push({ at: ccIndex, license: creativeCommons(Array.from(new Set(codes)).join('-') || 'BY', version) });
  }
  const gnuRe =
    /GNU\s+(Lesser\s+|Library\s+|Affero\s+)?General\s+Public\s+License(?:,?\s+(?:as\s+published[^.]*?)?version\s+(\d(?:\.\d)?))?/gi;
  for (const m of text.matchAll(gnuRe)) {
    const kind = (m[1] ?? '').trim().toLowerCase();
    const family = kind === 'affero' ? 'AGPL' : kind === '' ? 'GPL' : 'LGPL';
    const tail = text.slice(m.index, m.index + 400);
    found.push({ at: m.index, license: gnu(family, m[2], /any\s+later\s+version/i.test(tail)) });
  }
  const mit = text.search(/Permission is hereby granted, free of charge/i);
  if (mit >= 0) found.push({ at: mit, license: { name: 'MIT' } });
  const pd = text.search(/public\s+domain/i);
  if (pd >= 0) found.push({ at: pd, license: { name: 'public-domain' } });
  found.sort((a, b) => a.at - b.at);
  return found[0]?.license ?? null;
}

/** Of two names for the same license, the more specific ("CC-BY-SA-3.0" over "CC-BY-SA"). */
export function moreSpecific(a: LicenseName | null, b: LicenseName | null): LicenseName | null {
  if (!a || !b) return a ?? b;
  if (a.name.startsWith(b.name)) return a;
  if (b.name.startsWith(a.name)) return b;
  return a;
}
