/** The chat view's transcript: `$/glm/chat` notifications in, HTML out. */

import { escapeHtml, renderMarkdown } from "./markdown";

/** One `$/glm/chat` notification. */
export interface ChatEvent {
  session: string;
  task: string;
  kind: string; // reasoning | content | tool (tool_call) | error | done
  text: string;
}

export interface UserEntry {
  role: "user";
  text: string;
}

export interface AnswerEntry {
  role: "assistant";
  task?: string;
  reasoning: string;
  content: string;
  tools: string[];
  error?: string;
  done: boolean;
}

export type Entry = UserEntry | AnswerEntry;

export class Transcript {
  readonly entries: Entry[] = [];
  session: string | undefined;

  /** The user asked something: their message and an answer waiting for its task id. */
  ask(message: string): AnswerEntry {
    this.entries.push({ role: "user", text: message });
    const answer: AnswerEntry = { role: "assistant", reasoning: "", content: "", tools: [], done: false };
    this.entries.push(answer);
    return answer;
  }

  /** Whether the event belongs here: this session, or a task this transcript started. */
  owns(event: ChatEvent): boolean {
    if (this.session !== undefined && event.session === this.session) {
      return true;
    }
    return this.entries.some(
      (e) => e.role === "assistant" && (e.task === event.task || (e.task === undefined && !e.done)),
    );
  }

  /** Apply one notification; returns false if it belongs to no answer here. */
  apply(event: ChatEvent): boolean {
    const answer = this.answerFor(event.task);
    if (answer === undefined) {
      return false;
    }
    answer.task = event.task;
    if (this.session === undefined && event.session) {
      this.session = event.session;
    }
    switch (event.kind) {
      case "reasoning":
        answer.reasoning += event.text;
        break;
      case "content":
        answer.content += event.text;
        break;
      case "tool":
      case "tool_call":
        answer.tools.push(event.text);
        break;
      case "error":
        answer.error = event.text;
        answer.done = true;
        break;
      case "done":
        if (event.text) {
          answer.content = event.text; // the whole final answer replaces the streamed deltas
        }
        answer.done = true;
        break;
      default:
        return false;
    }
    return true;
  }

  /** The request failed before any notification (e.g. the server refused it). */
  fail(answer: AnswerEntry, message: string): void {
    answer.error = message;
    answer.done = true;
  }

  get busy(): boolean {
    return this.entries.some((e) => e.role === "assistant" && !e.done);
  }

  private answerFor(task: string): AnswerEntry | undefined {
    const answers = this.entries.filter((e): e is AnswerEntry => e.role === "assistant");
    return answers.find((e) => e.task === task) ?? answers.find((e) => e.task === undefined && !e.done);
  }

  render(): string {
    return this.entries.map((entry, index) => renderEntry(entry, index)).join("\n");
  }
}

export function renderEntry(entry: Entry, index: number): string {
  if (entry.role === "user") {
    return `<div class="msg user"><div class="who">You</div>${renderMarkdown(entry.text)}</div>`;
  }
  const parts: string[] = [`<div class="msg assistant"><div class="who">GLM</div>`];
  if (entry.reasoning) {
    parts.push(
      `<details class="reasoning" data-id="r${index}"><summary>Reasoning</summary>` +
        `<div class="reasoning-text">${escapeHtml(entry.reasoning)}</div></details>`,
    );
  }
  for (const tool of entry.tools) {
    parts.push(`<div class="tool">&#9881; ${escapeHtml(tool)}</div>`);
  }
  if (entry.content) {
    parts.push(`<div class="content">${renderMarkdown(entry.content)}</div>`);
  }
  if (entry.error) {
    parts.push(`<div class="error">${escapeHtml(entry.error)}</div>`);
  }
  if (!entry.done) {
    parts.push(`<div class="pending">…</div>`);
  }
  parts.push("</div>");
  return parts.join("");
}
