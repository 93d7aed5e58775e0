/**
 * Runs one actions/github-script `script` the way the action does: in its own
 * Node process, in the workspace, with the step's environment, `require`
 * resolving relative to the working directory, and `github` an Octokit-shaped
 * client; here that client is a fake pull request kept in a JSON file, so a
 * test can seed comments and read back what the script did.
 *
 *   node -r ts-node/register/transpile-only githubScriptRunner.ts SCRIPT_FILE STATE_FILE
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: "Bot" | "User" };
}

export interface FakePullRequest {
  owner: string;
  repo: string;
  number: number;
  comments: FakeComment[];
  nextId: number;
  /** Every call the script made, in order: "list page=1", "update 7", "create 8". */
  calls: string[];
}

/** The bot the workflow's token writes as (GITHUB_TOKEN's author). */
export const ACTIONS_BOT = { login: "github-actions[bot]", type: "Bot" } as const;

interface Params {
  owner: string;
  repo: string;
  issue_number?: number;
  comment_id?: number;
  body?: string;
  per_page?: number;
  page?: number;
}

export function fakeGithub(pr: FakePullRequest) {
  const same = (p: Params) => {
    if (p.owner !== pr.owner || p.repo !== pr.repo)
      throw new Error(`Not Found: ${p.owner}/${p.repo} (the fake holds ${pr.owner}/${pr.repo})`);
  };
  const rest = {
    issues: {
      async listComments(p: Params) {
        same(p);
        if (p.issue_number !== pr.number) return { data: [] };
        const perPage = Math.min(p.per_page ?? 30, 100);
        const page = p.page ?? 1;
        pr.calls.push(`list page=${page}`);
        return { data: pr.comments.slice((page - 1) * perPage, page * perPage) };
      },
      async updateComment(p: Params) {
        same(p);
        const c = pr.comments.find((x) => x.id === p.comment_id);
        if (!c) throw new Error(`Not Found: comment ${p.comment_id}`);
        if (c.user.login !== ACTIONS_BOT.login)
          throw new Error(`Forbidden: comment ${c.id} belongs to ${c.user.login}`);
        c.body = String(p.body);
        pr.calls.push(`update ${c.id}`);
        return { data: c };
      },
      async createComment(p: Params) {
        same(p);
        const c: FakeComment = { id: pr.nextId++, body: String(p.body), user: { ...ACTIONS_BOT } };
        pr.comments.push(c);
        pr.calls.push(`create ${c.id}`);
        return { data: c };
      },
    },
  };
  /** Octokit's paginate: every page of a list method, until a short page. */
  async function paginate(method: (p: Params) => Promise<{ data: unknown[] }>, params: Params) {
    const all: unknown[] = [];
    const perPage = Math.min(params.per_page ?? 30, 100);
    for (let page = 1; ; page++) {
      const { data } = await method({ ...params, per_page: perPage, page });
      all.push(...data);
      if (data.length < perPage) return all;
    }
  }
  return { rest, paginate };
}

async function main(scriptFile: string, stateFile: string): Promise<void> {
  const pr = JSON.parse(readFileSync(stateFile, "utf8")) as FakePullRequest;
  const context = {
    repo: { owner: pr.owner, repo: pr.repo },
    issue: { number: pr.number },
    payload: { pull_request: { number: pr.number } },
  };
  const core = {
    info: (m: string) => process.stdout.write(`${m}\n`),
    warning: (m: string) => process.stdout.write(`::warning::${m}\n`),
    setFailed: (m: string) => {
      process.stdout.write(`::error::${m}\n`);
      process.exitCode = 1;
    },
  };
  const wrappedRequire = createRequire(join(process.cwd(), "github-script.js"));
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<unknown>;
  const fn = new AsyncFunction(
    "require",
    "github",
    "context",
    "core",
    readFileSync(scriptFile, "utf8"),
  );
  try {
    await fn(wrappedRequire, fakeGithub(pr), context, core);
  } finally {
    writeFileSync(stateFile, JSON.stringify(pr, null, 2));
  }
}

if (require.main === module) {
  const [scriptFile, stateFile] = process.argv.slice(2);
  main(scriptFile as string, stateFile as string).catch((err: Error) => {
    process.stderr.write(`github-script failed: ${err.message}\n`);
    process.exitCode = 1;
  });
}
