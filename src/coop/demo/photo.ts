import { encodePng } from '../../core/files/png';

/**
 * A picture for a demo producer: a square in its colour with a lighter band across, as a real PNG,
 * so the demo's producers have photos without any file shipped or fetched.
 */
export function demoPhoto(rgb: readonly [number, number, number], size = 96): Buffer {
  const [r, g, b] = rgb;
  const light = (channel: number) => Math.min(255, channel + 90);
  return encodePng(size, size, (_x, y) =>
    y > size * 0.6 && y < size * 0.8 ? [light(r), light(g), light(b), 255] : [r, g, b, 255],
  );
}
