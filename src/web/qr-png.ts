import { PNG } from 'pngjs';
import * as QRCode from 'qrcode';

/**
 * A square PNG of exactly `size` pixels holding the QR code of `text`: whole pixels per module,
 * centred, at least a 4-module quiet zone where it fits (the qrcode package's own PNG output can
 * come out a pixel short of the requested width).
 */
export function qrPng(text: string, size: number): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const scale = Math.max(1, Math.floor(size / (n + 8)));
  const offset = Math.floor((size - n * scale) / 2);
  const png = new PNG({ width: size, height: size, colorType: 2, inputHasAlpha: false });
  png.data.fill(255);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (!qr.modules.get(y, x)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = (offset + y * scale + dy) * size;
        for (let dx = 0; dx < scale; dx++) {
          const i = (row + offset + x * scale + dx) * 4;
          png.data[i] = png.data[i + 1] = png.data[i + 2] = 0;
        }
      }
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}
