#!/usr/bin/env node
// Draws build/icon.png (512×512): a rounded tile with a sluice gate letting three streams through. Drawn in code
// so the icon has a source that can be changed and re-run: `node scripts/make-icon.mjs`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const out = fileURLToPath(new URL('../build/icon.png', import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Coverage of pixel (x, y) by a rounded rectangle, antialiased over a 4×4 grid of samples. */
function roundRect(x, y, x0, y0, x1, y1, r) {
  let hit = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4;
      const py = y + (sy + 0.5) / 4;
      if (px < x0 || px > x1 || py < y0 || py > y1) continue;
      const cx = Math.min(Math.max(px, x0 + r), x1 - r);
      const cy = Math.min(Math.max(py, y0 + r), y1 - r);
      if ((px - cx) ** 2 + (py - cy) ** 2 <= r * r) hit++;
    }
  }
  return hit / 16;
}

function blend(dst, src, a) {
  return dst.map((d, i) => d + (src[i] - d) * a);
}

const rows = [];
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4);
  for (let x = 0; x < SIZE; x++) {
    // Tile: deep teal to blue, top to bottom.
    const t = y / SIZE;
    let rgb = [14 + 10 * t, 116 - 40 * t, 144 + 40 * t];
    const tile = roundRect(x, y, 24, 24, 488, 488, 96);
    // Three streams flowing through the gate.
    for (const cx of [176, 256, 336]) {
      const wave = cx + 10 * Math.sin((y / SIZE) * Math.PI * 4);
      const a = Math.max(0, Math.min(1, 14 - Math.abs(x + 0.5 - wave))) * roundRect(x, y, 0, 210, SIZE, 440, 0);
      rgb = blend(rgb, [186, 236, 246], a * 0.95);
    }
    // The gate: a bar across with two posts.
    const gate = Math.max(roundRect(x, y, 112, 150, 400, 200, 14), roundRect(x, y, 112, 150, 150, 400, 14), roundRect(x, y, 362, 150, 400, 400, 14));
    rgb = blend(rgb, [248, 250, 252], gate);
    row[1 + x * 4] = Math.round(rgb[0]);
    row[2 + x * 4] = Math.round(rgb[1]);
    row[3 + x * 4] = Math.round(rgb[2]);
    row[4 + x * 4] = Math.round(255 * tile);
  }
  rows.push(row);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(out, png);
process.stdout.write(`wrote ${out} (${SIZE}x${SIZE}, ${png.length} bytes)\n`);
