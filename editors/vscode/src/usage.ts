/** glm.usage results and running tasks, as text for messages and the status bar. */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
  cost: number | null;
  /** Dollars the provider's prefix cache took off the cost (absent from older servers). */
  saved?: number;
}

export interface TaskUsage {
  task: string;
  title?: string;
  what?: string;
  state?: string;
  usage: Usage;
  text?: string;
}

/** glm.usage's `completion`: what inline completion spent, counted apart from tasks. */
export interface CompletionUsage {
  enabled: boolean;
  paused: boolean;
  hourCost: number;
  hourlyCap: number;
  requests: number;
  cancelled: number;
  cached: number;
  usage: Usage;
  text: string;
}

export interface UsageResult {
  total: Usage;
  text: string;
  tasks?: TaskUsage[];
  completion?: CompletionUsage;
}

/** The task states glm-lsp sends. */
export type TaskState = "running" | "done" | "failed" | "cancelled";

/** A `$/glm/task` notification. */
export interface TaskEvent {
  task: string;
  // `string & {}` keeps the known states for completion while accepting any other a newer server sends.
  state: TaskState | (string & {});
  title: string;
  message?: string;
}

export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) {
    return "cost unknown";
  }
  return `$${cost.toFixed(cost >= 1 ? 2 : 4)}`;
}

export function formatTokens(n: number): string {
  if (n >= 1_000_000) {
    return `${(n / 1_000_000).toFixed(1)}M`;
  }
  if (n >= 10_000) {
    return `${Math.round(n / 1000)}k`;
  }
  return String(n);
}

/** ", the cache saved $X" when the provider's prompt cache saved anything. */
export function formatSaved(usage: Usage): string {
  return usage.saved ? `, the cache saved ${formatCost(usage.saved)}` : "";
}

/** One line for a message box: totals, then the number of tasks. */
export function usageMessage(result: UsageResult): string {
  const t = result.total;
  const tasks = result.tasks ?? [];
  const counted = tasks.length === 1 ? "1 task" : `${tasks.length} tasks`;
  const c = result.completion;
  const inline =
    c !== undefined && c.requests > 0
      ? ` Inline completion, counted apart: ${String(c.requests)} requests, ${formatCost(c.usage.cost)} (${formatCost(c.hourCost)} this hour).`
      : "";
  return (
    `GLM usage this session: ${t.prompt_tokens} prompt tokens (${t.cached_tokens} cached), ` +
    `${t.completion_tokens} completion tokens (${t.reasoning_tokens} reasoning), ` +
    `${formatCost(t.cost)}${formatSaved(t)}; ${counted}.${inline}`
  );
}

/** One line per task, for the output channel. */
export function usageDetails(result: UsageResult): string[] {
  return (result.tasks ?? []).map((task) => {
    const title = task.title ?? task.what ?? task.task;
    const state = task.state ? ` [${task.state}]` : "";
    const text = task.text ?? `${task.usage.prompt_tokens + task.usage.completion_tokens} tokens, ${formatCost(task.usage.cost)}`;
    return `${task.task} ${title}${state}: ${text}`;
  });
}

/** Which tasks run now, from `$/glm/task` notifications. */
export class TaskTracker {
  private readonly running = new Map<string, TaskEvent>();

  /** Record the event; returns true when a task ended. */
  update(event: TaskEvent): boolean {
    if (event.state === "running") {
      this.running.set(event.task, event);
      return false;
    }
    this.running.delete(event.task);
    return true;
  }

  clear(): void {
    this.running.clear();
  }

  get tasks(): TaskEvent[] {
    return [...this.running.values()];
  }
}

export interface StatusView {
  text: string;
  tooltip: string;
  command: "cancel" | "usage";
}

/** The status bar item: the running task (click cancels), else the session's cost. */
export function statusView(running: TaskEvent[], total: Usage | undefined): StatusView {
  const cost = total === undefined ? "" : ` ${formatCost(total.cost)}`;
  if (running.length > 0) {
    const first = running[0] as TaskEvent;
    const more = running.length > 1 ? ` (+${running.length - 1})` : "";
    const title = first.title.replace(/^GLM:\s*/, "");
    return {
      text: `$(sync~spin) GLM: ${title}${more}`,
      tooltip: `${running.map((t) => t.title).join("\n")}\nClick to cancel.`,
      command: "cancel",
    };
  }
  const tokens =
    total === undefined
      ? ""
      : `\n${formatTokens(total.prompt_tokens)} prompt (${formatTokens(total.cached_tokens)} cached), ` +
        `${formatTokens(total.completion_tokens)} completion tokens` +
        (total.saved ? `\nThe prompt cache saved ${formatCost(total.saved)}` : "");
  return {
    text: `$(hubot) GLM${cost}`,
    tooltip: `GLM-5.2 (glm-lsp)${tokens}\nClick to show usage.`,
    command: "usage",
  };
}

/** The inline completion status item: on or off (a click toggles it), and this hour's cost. */
export function completionStatusView(enabled: boolean, usage: CompletionUsage | undefined): { text: string; tooltip: string } {
  if (!enabled) {
    return {
      text: "$(circle-slash) GLM completion",
      tooltip: "GLM inline completion is off (each suggestion is a paid request).\nClick to turn it on.",
    };
  }
  const cost = usage === undefined ? "" : ` ${formatCost(usage.hourCost)}/h`;
  const icon = usage?.paused ? "$(debug-pause)" : "$(sparkle)";
  const lines = ["GLM inline completion is on."];
  if (usage !== undefined) {
    lines.push(
      `This hour: ${formatCost(usage.hourCost)} of the ${formatCost(usage.hourlyCap)} cap${usage.paused ? " (paused until the hour has passed)" : ""}.`,
      `${String(usage.requests)} requests (${String(usage.cancelled)} cut short by typing), ${String(usage.cached)} answered from the cache.`,
    );
  }
  lines.push("Click to turn it off.");
  return { text: `${icon} GLM completion${cost}`, tooltip: lines.join("\n") };
}
