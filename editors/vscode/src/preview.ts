/** Proposed edits (`$/glm/preview`) held until the user accepts or rejects them. */

export const PREVIEW_SCHEME = "glm-preview";

export interface PreviewFile {
  uri: string;
  path: string;
  old: string | null; // null: the edit creates the file
  new: string | null; // null: the edit deletes the file
}

/** One hunk of a preview: `line` is its `@@` line in the diff; `start`/`end` its 0-based
 * lines [start, end) in the new file; `whole` for a file created, deleted or renamed. */
export interface PreviewHunk {
  id: string;
  uri: string;
  path: string;
  line: number;
  start: number;
  end: number;
  whole: boolean;
}

export interface PreviewParams {
  task: string;
  token: string;
  diff: string;
  summary: string;
  files?: PreviewFile[];
  /** Edits the model tried and did not make: the preview is incomplete. */
  failed?: string[];
  hunks?: PreviewHunk[];
}

export type Side = "old" | "new";

/** The path of a virtual document: /<token>/<side>/<index>/<file path> (the file's own
 * name comes last so the editor picks its language). */
export function previewPath(token: string, side: Side, index: number, path: string): string {
  const tail = path.replace(/^\/+/, "") || "file";
  return `/${encodeURIComponent(token)}/${side}/${index}/${tail}`;
}

export interface PreviewRef {
  token: string;
  side: Side;
  index: number;
}

export function parsePreviewPath(path: string): PreviewRef | undefined {
  const match = /^\/([^/]+)\/(old|new)\/(\d+)(?:\/|$)/.exec(path);
  if (!match) {
    return undefined;
  }
  return { token: decodeURIComponent(match[1] as string), side: match[2] as Side, index: Number(match[3]) };
}

/** The diff editor's title for one file. */
export function diffTitle(file: PreviewFile): string {
  const name = file.path || file.uri;
  if (file.old === null) {
    return `${name} (new file proposed by GLM)`;
  }
  if (file.new === null) {
    return `${name} (deletion proposed by GLM)`;
  }
  return `${name} (current ↔ proposed by GLM)`;
}

/** The files of a preview; an older server without `files` gives none. */
export function previewFiles(params: PreviewParams): PreviewFile[] {
  return Array.isArray(params.files) ? params.files : [];
}

/** The hunk of file `index` of a preview at 0-based `line` of its proposed text, else the
 * nearest hunk of that file. */
export function hunkAt(params: PreviewParams, index: number, line: number): PreviewHunk | undefined {
  const file = previewFiles(params)[index];
  if (file === undefined) {
    return undefined;
  }
  const distance = (hunk: PreviewHunk): number => {
    if (hunk.whole) {
      return 0;
    }
    const end = Math.max(hunk.end, hunk.start + 1);
    return line < hunk.start ? hunk.start - line : line >= end ? line - end + 1 : 0;
  };
  const hunks = (params.hunks ?? []).filter((hunk) => hunk.path === file.path);
  return hunks.reduce<PreviewHunk | undefined>((best, hunk) => (best === undefined || distance(hunk) < distance(best) ? hunk : best), undefined);
}

export class PreviewStore {
  private readonly previews = new Map<string, PreviewParams>();

  add(params: PreviewParams): void {
    this.previews.set(params.token, params);
  }

  get(token: string): PreviewParams | undefined {
    return this.previews.get(token);
  }

  remove(token: string): PreviewParams | undefined {
    const found = this.previews.get(token);
    this.previews.delete(token);
    return found;
  }

  clear(): void {
    this.previews.clear();
  }

  /** Text of one side of one file, "" when that side does not exist. */
  content(ref: PreviewRef): string | undefined {
    const file = previewFiles(this.previews.get(ref.token) ?? ({} as PreviewParams))[ref.index];
    if (file === undefined) {
      return undefined;
    }
    return (ref.side === "old" ? file.old : file.new) ?? "";
  }

  get tokens(): string[] {
    return [...this.previews.keys()];
  }

  /** The newest pending preview. */
  get latest(): string | undefined {
    const tokens = this.tokens;
    return tokens[tokens.length - 1];
  }

  get size(): number {
    return this.previews.size;
  }
}

/** One line to show with Accept / Reject. */
export function previewMessage(params: PreviewParams): string {
  const files = previewFiles(params);
  const names = files.map((f) => f.path).filter(Boolean);
  const where = names.length === 0 ? "" : names.length <= 3 ? ` in ${names.join(", ")}` : ` in ${names.length} files`;
  const summary = params.summary ? `: ${params.summary}` : "";
  return `GLM proposes an edit${where}${summary}`;
}
