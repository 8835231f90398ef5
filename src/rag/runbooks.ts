import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** Every Markdown file under dir, as { path (relative, forward slashes), content }, sorted by path. */
export async function readRunbookDir(dir: string): Promise<{ path: string; content: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.(md|markdown)$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return Promise.all(
    files.map(async (file) => ({
      path: relative(dir, file).split(sep).join("/"),
      content: await readFile(file, "utf8"),
    })),
  );
}
