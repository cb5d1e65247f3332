import { holderName, parseDebianCopyright } from '../../../lab/dataset/debian-copyright';
import { licenseFromProse, licenseFromTag } from '../../../lab/dataset/license-names';
import { resolveTrackLicense } from '../../../lab/dataset/track-license';

// Excerpts of real /usr/share/doc/*/copyright files (prose style) and a DEP-5 one.
const SINGULARITY = `It was downloaded from https://code.google.com/p/endgame-singularity/

Upstream Authors:
\t Max McCracken

Copyright (C) 2007-2008,2012 Max McCracken

License

   THE WORK (AS DEFINED BELOW) IS PROVIDED UNDER THE TERMS OF THIS
   CREATIVE COMMONS PUBLIC LICENSE ("CCPL" OR "LICENSE").
    e. "License Elements" means the following high-level license
       attributes as selected by Licensor and indicated in the title of
       this License: Attribution, ShareAlike.
       Commons jurisdiction license (either this or a later license
       version) that contains the same License Elements as this License
       (e.g., Attribution-ShareAlike 3.0 US)); (iv) a Creative Commons
`;

const WESNOTH = `It was downloaded from http://www.wesnoth.org/

Upstream Author: David White <davidnwhite@comcast.net>

Copyright (C) 2003 - 2009 by David White <dave@whitevine.net>

License:
        This program is free software; you can redistribute it and/or modify
        it under the terms of the GNU General Public License version 2
        or at your option any later version.

        This library is free software; you can redistribute it and/or
        modify it under the terms of the GNU Library General Public
        License as published by the Free Software Foundation; either
        version 2 of the License, or (at your option) any later version.
`;

const DEP5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: somegame
Source: https://example.org/somegame

Files: *
Copyright: 2010 Game Authors
License: GPL-3+

Files: data/music/*.ogg
Copyright: 2011-2012 Jane Composer <jane@example.org>
License: CC-BY-SA-4.0
 Some text.
`;

describe('track licenses', () => {
  it('reads the licensor and license from prose copyright files', () => {
    expect(parseDebianCopyright(SINGULARITY, 'singularity-music', '/x/a.ogg')).toEqual({
      packageName: 'singularity-music',
      licensor: 'Max McCracken',
      license: { name: 'CC-BY-SA-3.0', url: 'https://creativecommons.org/licenses/by-sa/3.0/' },
      sourceUrl: 'https://code.google.com/p/endgame-singularity/',
    });
    const wesnoth = parseDebianCopyright(WESNOTH, 'wesnoth-1.16-music', '/x/battle.ogg');
    expect(wesnoth.licensor).toBe('David White');
    expect(wesnoth.license?.name).toBe('GPL-2.0-or-later');
  });

  it('takes the last matching Files paragraph of a DEP-5 file', () => {
    const music = parseDebianCopyright(DEP5, 'somegame-data', '/usr/share/games/somegame/data/music/theme.ogg');
    expect(music).toMatchObject({
      licensor: 'Jane Composer',
      license: { name: 'CC-BY-SA-4.0' },
      sourceUrl: 'https://example.org/somegame',
    });
    expect(parseDebianCopyright(DEP5, 'somegame-data', '/usr/share/games/somegame/icon.png').license?.name).toBe(
      'GPL-3.0-or-later',
    );
  });

  it('understands license tags and copyright holders', () => {
    expect(licenseFromTag('http://creativecommons.org/licenses/by-sa/3.0/')?.name).toBe('CC-BY-SA-3.0');
    expect(licenseFromTag('GPL')?.name).toBe('GPL');
    expect(licenseFromTag('CC BY 4.0')?.name).toBe('CC-BY-4.0');
    expect(holderName('Aleksi Aubry-Carlson (C)2006')).toBe('Aleksi Aubry-Carlson');
    expect(holderName('Copyright (C) 2003 - 2009 by David White <dave@whitevine.net>')).toBe('David White');
    expect(licenseFromProse('nothing to see here')).toBeNull();
  });

  it('refines a package license with the track tags and credits the composer', () => {
    const license = resolveTrackLicense({
      relativePath: 'battle.ogg',
      tags: {
        title: 'Battle Music',
        artist: 'Aleksi Aubry-Carlson',
        copyright: 'Aleksi Aubry-Carlson (C)2006',
        license: 'GPL',
      },
      packageLicense: parseDebianCopyright(WESNOTH, 'wesnoth-1.16-music', '/x/battle.ogg'),
    });
    expect(license).toMatchObject({
      title: 'Battle Music',
      licensor: 'Aleksi Aubry-Carlson',
      license: 'GPL-2.0-or-later',
    });
    expect(license?.attribution).toContain('"Battle Music" by Aleksi Aubry-Carlson');
    expect(license?.attribution).toContain('wesnoth-1.16-music');
  });

  it('prefers a sidecar entry and refuses a track nobody licensed', () => {
    const map = { tracks: { 'a/b.ogg': { licensor: 'Me', license: 'CC0-1.0' } } };
    expect(resolveTrackLicense({ relativePath: 'a/b.ogg', tags: {}, licenseMap: map })).toMatchObject({
      title: 'b',
      license: 'CC0-1.0',
      source: 'license-map',
    });
    expect(resolveTrackLicense({ relativePath: 'c.ogg', tags: { artist: 'Someone' }, licenseMap: map })).toBeNull();
  });
});
