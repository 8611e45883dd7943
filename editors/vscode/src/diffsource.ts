/** Where "GLM: Apply Diff" takes its diff from. */

const DIFF_START = /^(diff --git |--- |\+\+\+ |@@ )/m;

export function looksLikeDiff(text: string): boolean {
  return DIFF_START.test(text) && /^@@/m.test(text);
}

export interface DiffSources {
  selection?: string; // the active editor's selected text
  document?: string; // the active editor's whole text
  clipboard?: string;
}

export interface PickedDiff {
  diff: string;
  from: "selection" | "editor" | "clipboard";
}

/** The selection if it is a diff, else the active editor's text if it is one, else the
 * clipboard if it is one. */
export function pickDiff(sources: DiffSources): PickedDiff | undefined {
  if (sources.selection && looksLikeDiff(sources.selection)) {
    return { diff: sources.selection, from: "selection" };
  }
  if (sources.document && looksLikeDiff(sources.document)) {
    return { diff: sources.document, from: "editor" };
  }
  if (sources.clipboard && looksLikeDiff(sources.clipboard)) {
    return { diff: sources.clipboard, from: "clipboard" };
  }
  return undefined;
}
