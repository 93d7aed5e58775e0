/**
 * The GitOps examples as they are written: their shell and github-script
 * steps, taken from the workflow files, run against the emulators with the
 * exit-code handling the files contain. A pull request gets one comment,
 * edited in place on the next run (found by its marker among every page of
 * comments, never a person's), with the plan of the base branch's rules beside
 * the pull request's; blocking findings fail the check after the comment;
 * merge plans of record and applies it; the scheduled drift check passes with
 * nothing to do and fails on a new unlinked identity. Plus what cannot run
 * here: every action pinned by commit SHA with its release named, Node 24.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatedTenant, type EmulatedTenant } from "../../cli/emulated";
import { tenantWithAmbiguity } from "../helpers/applyHarness";
import { ACTIONS_BOT, type FakeComment, type FakePullRequest } from "./githubScriptRunner";
import { loadWorkflow, ROOT, runJob, type RunContext } from "./workflow";

const WORKFLOWS = ["examples/gitops/aimctl.yml", "examples/gitops/pulumi.yml"];
const MARKER = "<!-- aimctl-plan -->";

/** The pull request's rules: leave the ambiguous user alone, which unblocks AIM. */
const PR_RULES = { exclude: { users: ["shared@example.com"] } };

describe("examples/gitops: what GitHub would run but this CI cannot", () => {
  it.each(WORKFLOWS)("%s pins every action by commit SHA and names its release", (file) => {
    const { text } = loadWorkflow(file);
    const uses = [...text.matchAll(/^\s*(?:- )?uses: (.*)$/gm)].map((m) => m[1] as string);
    expect(uses.length).toBeGreaterThan(3);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("pins each action to the same commit in both files, on Node 24", () => {
    const pins = new Map<string, Set<string>>();
    for (const file of WORKFLOWS) {
      const { workflow, text } = loadWorkflow(file);
      for (const m of text.matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[\d.]+)/g))
        pins.set(m[1] as string, (pins.get(m[1] as string) ?? new Set()).add(`${m[2]} ${m[3]}`));
      const setupNode = Object.values(workflow.jobs).flatMap((j) =>
        j.steps.filter((s) => s.uses?.startsWith("actions/setup-node@")),
      );
      expect(setupNode.length).toBeGreaterThan(0);
      for (const s of setupNode) expect(s.with?.["node-version"]).toBe(24);
    }
    for (const [action, seen] of pins) expect([...seen], action).toHaveLength(1);
    expect([...pins.keys()].sort()).toEqual([
      "actions/checkout",
      "actions/download-artifact",
      "actions/github-script",
      "actions/setup-node",
      "actions/upload-artifact",
      "pulumi/actions",
    ]);
  });

  it("pulumi.yml: one sticky preview comment per stack, a drift preview that fails on any change", () => {
    const { workflow } = loadWorkflow("examples/gitops/pulumi.yml");
    const preview = workflow.jobs.preview?.steps.find((s) => s.id === "preview");
    expect(preview?.with).toMatchObject({ command: "preview", "comment-on-pr": false });
    const drift = workflow.jobs.drift;
    expect(drift?.if).toContain("schedule");
    expect(drift?.steps.at(-1)?.with).toMatchObject({
      command: "preview",
      "expect-no-changes": true,
    });
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining(["pull_request", "push", "schedule"]),
    );
  });
});

describe("examples/gitops/pulumi.yml: the preview comment", () => {
  it("posts the preview once per stack and edits it on the next run", async () => {
    const { workflow } = loadWorkflow("examples/gitops/pulumi.yml");
    const ws = mkdtempSync(join(tmpdir(), "gitops-pulumi-"));
    symlinkSync(join(ROOT, "examples"), join(ws, "examples"));
    const state: FakePullRequest = {
      owner: "acme",
      repo: "idp",
      number: 7,
      comments: [
        { id: 1, body: "<!-- pulumi-preview:staging -->\nanother stack", user: { ...ACTIONS_BOT } },
      ],
      nextId: 10,
      calls: [],
    };
    const pullRequestFile = join(ws, ".pull-request.json");
    writeFileSync(pullRequestFile, JSON.stringify(state));
    const label = "Comment the preview (one comment per pull request and stack, edited in place)";
    const run = (output: string) =>
      runJob(workflow, "preview", {
        workspace: ws,
        pullRequestFile,
        onlySteps: [label],
        stepOutputs: { preview: { output } },
      });
    const first = await run(
      "Previewing update (prod)\n ~ aim-reconciliation update [diff: ~pending]\n```x```",
    );
    expect(first.ok, first.step(label).stderr).toBe(true);
    const second = await run("Previewing update (prod)\nResources: 9 unchanged");
    expect(second.ok).toBe(true);
    const after = JSON.parse(readFileSync(pullRequestFile, "utf8")) as FakePullRequest;
    expect(after.calls).toEqual(["list page=1", "create 10", "list page=1", "update 10"]);
    const prod = after.comments.find((c) => c.id === 10) as FakeComment;
    expect(prod.body).toMatch(
      /^<!-- pulumi-preview:prod -->\n#### `pulumi preview` of stack prod\n/,
    );
    expect(prod.body).toContain(
      "<details>\n<summary>Preview output</summary>\n\n```text\nPreviewing update (prod)\nResources: 9 unchanged\n```",
    );
    expect(after.comments.find((c) => c.id === 1)?.body).toBe(
      "<!-- pulumi-preview:staging -->\nanother stack",
    );
    rmSync(ws, { recursive: true, force: true });
  });
});

describe("examples/gitops/aimctl.yml against the emulators", () => {
  const { workflow } = loadWorkflow("examples/gitops/aimctl.yml");
  let t: EmulatedTenant;
  let ctx: RunContext;
  let ws: string;
  let remote: string;
  const prFile = () => ctx.pullRequestFile as string;
  const pr = (): FakePullRequest => JSON.parse(readFileSync(prFile(), "utf8")) as FakePullRequest;

  beforeAll(async () => {
    t = await startEmulatedTenant(tenantWithAmbiguity(), {
      oktaRateLimits: "off",
      databricksRateLimits: "off",
    });
    ws = mkdtempSync(join(tmpdir(), "gitops-ws-"));
    // What the checkout steps put there: aimctl at .aimctl-src, the rules, the base branch in .base.
    symlinkSync(ROOT, join(ws, ".aimctl-src"));
    // The repository itself, with a remote standing in for GitHub (the undo journal's branch).
    remote = mkdtempSync(join(tmpdir(), "gitops-remote-"));
    execFileSync("git", ["init", "--quiet", "--bare", remote]);
    execFileSync("git", ["init", "--quiet", "-b", "main", ws]);
    execFileSync("git", ["-C", ws, "remote", "add", "origin", remote]);
    writeFileSync(join(ws, "aimctl.rules.json"), JSON.stringify(PR_RULES));
    mkdirSync(join(ws, ".base"));
    // Someone else's comments come first: 120 of them (two pages), one quoting the marker.
    const comments: FakeComment[] = Array.from({ length: 120 }, (_, i) => ({
      id: i + 1,
      body: i === 7 ? `${MARKER}\nI quote the bot here` : `comment ${i}`,
      user: i === 30 ? { login: "renovate[bot]", type: "Bot" } : { login: "dev", type: "User" },
    }));
    const state: FakePullRequest = {
      owner: "acme",
      repo: "idp",
      number: 42,
      comments,
      nextId: 1000,
      calls: [],
    };
    writeFileSync(join(ws, ".pull-request.json"), JSON.stringify(state));
    ctx = {
      workspace: ws,
      vars: {
        OKTA_ORG_URL: t.env.OKTA_ORG_URL as string,
        OKTA_CLIENT_ID: t.env.OKTA_CLIENT_ID as string,
        DATABRICKS_HOST: t.env.DATABRICKS_HOST as string,
        DATABRICKS_ACCOUNT_ID: t.env.DATABRICKS_ACCOUNT_ID as string,
      },
      secrets: {
        OKTA_PRIVATE_KEY: t.privateKeyPem as string,
        OKTA_API_TOKEN: t.env.OKTA_API_TOKEN as string,
        DATABRICKS_CLIENT_ID: t.env.DATABRICKS_CLIENT_ID as string,
        DATABRICKS_CLIENT_SECRET: t.env.DATABRICKS_CLIENT_SECRET as string,
      },
      github: { run_id: "777" },
      pullRequestFile: join(ws, ".pull-request.json"),
    };
  });
  afterAll(async () => {
    await t?.close();
    if (ws) rmSync(ws, { recursive: true, force: true });
    if (remote) rmSync(remote, { recursive: true, force: true });
  });

  it("pull request: one comment with the base branch's plan beside, edited in place; blocked fails after it", async () => {
    // The base branch has no rules file yet: it planned with the defaults (blocked).
    const first = await runJob(workflow, "plan", ctx);
    expect(first.step("check").code).toBe(2); // reported only: links pending
    expect(first.step("plan").outputs.exit).toBe("2");
    expect(first.ok).toBe(true);
    let state = pr();
    const mine = state.comments.filter((c) => c.user.login === ACTIONS_BOT.login);
    expect(mine).toHaveLength(1);
    const comment = mine[0] as FakeComment;
    expect(state.calls).toEqual(["list page=1", "list page=2", `create ${comment.id}`]);
    expect(
      comment.body.startsWith(`${MARKER}\n### Okta → Databricks AIM reconciliation plan`),
    ).toBe(true);
    expect(comment.body).toContain("**Ready:** no error findings");
    expect(comment.body).toContain("#### Compared with the base branch");
    expect(comment.body).toContain("| error findings | 2 | 0 | −2 |");
    expect(comment.body).toMatch(
      /- resolved error `AMBIGUOUS_MATCH`: `Databricks user "shared@example\.com"/,
    );
    expect(readFileSync(join(ws, "plan.json"), "utf8")).toMatch(/^\{\n {2}"formatVersion": 1,/);

    // The base branch now has these rules and the pull request goes back to none: blocked.
    writeFileSync(join(ws, ".base", "aimctl.rules.json"), JSON.stringify(PR_RULES));
    writeFileSync(join(ws, "aimctl.rules.json"), "{}");
    const second = await runJob(workflow, "plan", ctx);
    expect(second.step("plan").outputs.exit).toBe("3");
    expect(second.ok).toBe(false);
    const verdict = second.step("Blocking findings fail the check");
    expect(verdict.code).toBe(1);
    expect(verdict.stdout).toMatch(/^::error::error findings block enabling AIM/m);
    state = pr();
    expect(state.calls.slice(3)).toEqual(["list page=1", "list page=2", `update ${comment.id}`]);
    const updated = state.comments.filter((c) => c.user.login === ACTIONS_BOT.login);
    expect(updated.map((c) => c.id)).toEqual([comment.id]); // still one comment
    expect(updated[0]?.body).toContain("**Blocked:** 2 error findings");
    expect(updated[0]?.body).toContain("| error findings | 0 | 2 | +2 |");
    // The comments of others are as they were, the one quoting the marker too.
    expect(state.comments.find((c) => c.id === 8)?.body).toBe(`${MARKER}\nI quote the bot here`);
    expect(state.comments).toHaveLength(121);
    writeFileSync(join(ws, "aimctl.rules.json"), JSON.stringify(PR_RULES));
  });

  it("merge: the plan of record in the run summary, then apply writes exactly it and keeps the journal", async () => {
    const record = await runJob(workflow, "plan-of-record", ctx);
    expect(record.ok).toBe(true);
    expect(record.outputs.exit).toBe("2");
    expect(record.summary).toMatch(/^### Okta → Databricks AIM reconciliation plan/);
    // apply runs for exit 2 and 3 only (no approval is asked for nothing to write).
    expect(workflow.jobs.apply?.if).toBe(
      "needs.plan-of-record.outputs.exit == '2' || needs.plan-of-record.outputs.exit == '3'",
    );
    const apply = await runJob(workflow, "apply", ctx);
    expect(apply.ok).toBe(true);
    expect(apply.step("Apply the plan of record").stdout).toMatch(
      /Applied 6 link\(s\), 0 already done/,
    );
    expect(readdirSync(join(ws, "undo")).sort()).toEqual([".journal-branch-tip", "undo-777.jsonl"]);
    // Kept on the branch aim-undo-journal, where a later run restores it from.
    expect(apply.step("Save the undo journal").stdout).toMatch(
      /saved 1 journal file\(s\) to aim-undo-journal/,
    );
    expect(
      execFileSync("git", ["--git-dir", remote, "show", "aim-undo-journal:undo-777.jsonl"], {
        encoding: "utf8",
      }),
    ).toBe(readFileSync(join(ws, "undo", "undo-777.jsonl"), "utf8"));
    expect(t.databricks.store.users.get("1000")?.externalId).toBe("00u00000000000000000");
  });

  it("schedule: no drift passes; a new identity without its Okta id fails the run", async () => {
    const clean = await runJob(workflow, "drift", ctx);
    expect(clean.ok).toBe(true);
    expect(clean.step("drift").outputs).toEqual({ plan: "0", check: "0" });
    expect(clean.step("drift").stdout).toContain("No drift");
    expect(clean.summary).toContain("<summary>aimctl check</summary>");

    // Someone creates a Databricks user by hand for an existing Okta user.
    t.databricks.store.users.get("1001")!.externalId = null;
    const drifted = await runJob(workflow, "drift", ctx);
    expect(drifted.ok).toBe(false);
    expect(drifted.step("drift").outputs).toEqual({ plan: "2", check: "2" });
    expect(drifted.step("drift").stdout).toMatch(
      /^::error::drift: 1 identities lack their Okta id as externalId/m,
    );
    // Nothing secret reached the logs.
    const logs = [clean, drifted]
      .flatMap((r) => r.steps.map((s) => s.stdout + s.stderr))
      .join("\n");
    expect(logs).not.toContain(t.env.DATABRICKS_CLIENT_SECRET);
    expect(logs).not.toContain((t.privateKeyPem as string).split("\n")[3]);
  });
});
