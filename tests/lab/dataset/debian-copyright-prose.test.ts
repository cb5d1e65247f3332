import { parseDebianCopyright } from '../../../lab/dataset/debian-copyright';

describe('prose copyright files of Debian music packages', () => {
  it('reads an upstream author named without a colon and an MIT grant (fretsonfire-songs-sectoid)', () => {
    const text = `The songs were downloaded from http://www.nivel21.net/x.zip

Upstream Author Carlos Viola Iborra <karuritosu@gmail.com>

Copyright:

The songs, performances and fret files are all Copyright (c) 2006/2007  Carlos
Viola Iborra <karuritosu@gmail.com>

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal

The Debian packaging is (C) 2006-2007, Matthew Johnson and is licensed under the GPL.
`;
    const license = parseDebianCopyright(text, 'fretsonfire-songs-sectoid', '/x/song.ogg');
    expect(license.licensor).toBe('Carlos Viola Iborra');
    expect(license.license?.name).toBe('MIT');
  });

  it('reads a holder from a "© years holder" phrase when no line starts with Copyright (nexuiz-music)', () => {
    const text = `It was downloaded from svn://svn.icculus.org/nexuiz/

Nexuiz is © 2002 - 2009 Alientrap, Lee Vermeulen <lvermeulen@shaw.ca>

This program is free software; you can redistribute it and/or
modify it under the terms of the GNU General Public License
as published by the Free Software Foundation; either version 2
of the License, or (at your option) any later version.
`;
    const license = parseDebianCopyright(text, 'nexuiz-music', '/x/music.pk3');
    expect(license.licensor).toBe('Alientrap, Lee Vermeulen');
    expect(license.license?.name).toBe('GPL-2.0-or-later');
  });
});
