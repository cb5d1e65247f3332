import { energyCurve, ENERGY_FLOOR_DB } from '../../../../src/features/rhythm/energy-curve';

it('gives the RMS level of each block in dBFS: a sine of amplitude A reads 20 log10(A / sqrt 2)', () => {
  const rate = 16_000;
  const pcm = new Float32Array(rate * 2.25);
  for (let i = 0; i < rate; i++) pcm[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate);
  for (let i = rate; i < 2 * rate; i++) pcm[i] = 0.05 * Math.sin((2 * Math.PI * 1000 * i) / rate);
  const curve = energyCurve(pcm, rate, 0.5);
  // 1 s loud, 1 s 20 dB quieter, a last short block of digital silence.
  expect(curve).toEqual([-9, -9, -29, -29, ENERGY_FLOOR_DB]);
});
