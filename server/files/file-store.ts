// Evidence files on disk, named by the SHA-256 of their content under <DATA_DIR>/files/. A file is written to a
// temporary name, flushed and then renamed, so a crash leaves either the whole file or nothing under its final
// name; identical content is stored once. The database says which files exist for which submission: a file on
// disk that no row names is garbage, never evidence.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const KEY = /^[0-9a-f]{64}$/;

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export class FileStore {
  constructor(readonly dir: string) {}

  private pathOf(key: string): string {
    // Keys come from the database, but a key is never trusted to be a bare name without checking.
    if (!KEY.test(key)) throw new Error(`invalid file key ${JSON.stringify(key)}`);
    return path.join(this.dir, key.slice(0, 2), key);
  }

  /** Stores the content; `created` says whether this call wrote it (false when identical content was there). */
  async put(data: Buffer): Promise<{ key: string; created: boolean }> {
    const key = sha256Hex(data);
    const final = this.pathOf(key);
    if (await exists(final)) return { key, created: false };
    await fs.mkdir(path.dirname(final), { recursive: true });
    const tmp = path.join(path.dirname(final), `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      const handle = await fs.open(tmp, 'wx', 0o640);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, final);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    return { key, created: true };
  }

  read(key: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  has(key: string): Promise<boolean> {
    return exists(this.pathOf(key));
  }

  /** Every stored file with its last change; temporary files of unfinished writes are not listed. */
  async list(): Promise<Array<{ key: string; modified: Date }>> {
    if (!(await exists(this.dir))) return [];
    const out: Array<{ key: string; modified: Date }> = [];
    for (const shard of await fs.readdir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await fs.readdir(path.join(this.dir, shard))) {
        if (!KEY.test(name) || name.slice(0, 2) !== shard) continue;
        out.push({ key: name, modified: (await fs.stat(path.join(this.dir, shard, name))).mtime });
      }
    }
    return out;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
