/**
 * Renders the PNG and ICO icons in public/ from public/icon.svg, in the system Chromium (no image
 * library needed). Run it after changing the SVG and commit what it writes:
 *
 *   node --import tsx scripts/render-icons.ts [path to chromium, default /usr/bin/chromium]
 *
 * The SVG has a rounded `#tile` and the `#mark` on it. Browsers get it as drawn (transparent
 * corners); iOS and Android's maskable icon cut their own shape, so theirs fill the square, and
 * the maskable one shrinks the mark into the safe zone (the middle 80%).
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "@playwright/test";

const PUBLIC = path.resolve(import.meta.dirname, "../public");
const CHROMIUM = process.argv[2] ?? "/usr/bin/chromium";

type TVariant = "rounded" | "square" | "maskable";

function variantSvg(svg: string, variant: TVariant): string {
  if (variant === "rounded") return svg;
  const square = svg.replace(/(<rect id="tile"[^>]*?) rx="\d+"/, "$1");
  if (variant === "square") return square;
  return square.replace(
    '<g id="mark">',
    '<g id="mark" transform="translate(256 256) scale(0.8) translate(-256 -256)">',
  );
}

/** A .ico holding PNG images (every browser, and Windows since Vista, read PNG entries). */
function icoFromPngs(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, index) => {
    const entry = 6 + 16 * index;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2);
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map(({ png }) => png)]);
}

const svg = await readFile(path.join(PUBLIC, "icon.svg"), "utf8");
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  const render = async (variant: TVariant, size: number): Promise<Buffer> => {
    await page.setViewportSize({ width: size, height: size });
    const source = variantSvg(svg, variant).replace("<svg ", `<svg width="${size}" height="${size}" `);
    await page.setContent(`<html><body style="margin:0">${source}</body></html>`);
    return page.locator("svg").screenshot({ omitBackground: true });
  };
  const outputs: [string, Buffer][] = [
    ["icon-192.png", await render("rounded", 192)],
    ["icon-512.png", await render("rounded", 512)],
    ["icon-maskable-512.png", await render("maskable", 512)],
    ["apple-touch-icon.png", await render("square", 180)],
    [
      "favicon.ico",
      icoFromPngs([
        { size: 16, png: await render("rounded", 16) },
        { size: 32, png: await render("rounded", 32) },
        { size: 48, png: await render("rounded", 48) },
      ]),
    ],
  ];
  for (const [name, bytes] of outputs) {
    await writeFile(path.join(PUBLIC, name), bytes);
    console.log(`public/${name}: ${bytes.length} bytes`);
  }
} finally {
  await browser.close();
}
