/**
 * examples/gitops/pulumi.yml under the real engine: each `pulumi/actions`
 * step of the workflow file, run as the `pulumi` command the action runs
 * (its `with:` translated, anything unknown refused), with the credentials
 * the workflow passes in `env:` from its secrets; the pull request's comment
 * step (actions/github-script) posts the real preview output. A pull
 * request previews a new stack, the merge's `up` links everything and
 * enables AIM, the scheduled drift preview passes, then fails once a link is
 * cleared out of band, and the next `up` repairs it.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { ACTIONS_BOT, type FakePullRequest } from "../examples/githubScriptRunner";
import { evaluate, loadWorkflow, ROOT, runJob, type Step } from "../examples/workflow";
import { expectOk, type CommandResult } from "./harness";
import { CLEAN_RATES, startEngineTenant, type EngineTenant } from "./tenant";

const { workflow } = loadWorkflow("examples/gitops/pulumi.yml");
let t: EngineTenant;

/** The `pulumi` arguments pulumi/actions runs for a step's `with:` (its Automation API calls). */
function actionArgs(step: Step): string[] {
  const w = step.with ?? {};
  const args: string[] = [];
  for (const [k, v] of Object.entries(w)) {
    if (k === "command") {
      if (v === "preview") args.unshift("preview");
      // Automation API's up: no confirmation, no separate preview.
      else if (v === "up") args.unshift("up", "--yes", "--skip-preview");
      else throw new Error(`pulumi/actions command ${String(v)}: not translated by this test`);
    } else if (k === "expect-no-changes") {
      if (v === true) args.push("--expect-no-changes");
    } else if (k === "color") args.push("--color", String(v));
    else if (k === "refresh") {
      if (v === true) args.push("--refresh");
    } else if (!["stack-name", "comment-on-pr", "comment-on-summary"].includes(k))
      throw new Error(`pulumi/actions input ${k}: not translated by this test`);
  }
  return args;
}

function pulumiStep(job: string): Step {
  const step = workflow.jobs[job]?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
  if (!step) throw new Error(`no pulumi/actions step in job ${job}`);
  return step;
}

const runAction = (job: string): Promise<CommandResult> => t.stack.op(actionArgs(pulumiStep(job)));

beforeAll(async () => {
  t = await startEngineTenant(
    generateTenant({ users: 40, groups: 4, seed: 11, rates: CLEAN_RATES }),
    {},
    {
      // The workflow's env, its secrets filled in as GitHub would; the file backend replaces Pulumi Cloud.
      databricksEnv: (dbx) => {
        const scope = {
          secrets: {
            DATABRICKS_CLIENT_ID: dbx.clientId,
            DATABRICKS_CLIENT_SECRET: dbx.clientSecret,
          },
          env: {},
        };
        const env = Object.entries(workflow.env ?? {}).map(
          ([k, v]) => [k, evaluate(String(v), scope)] as const,
        );
        return Object.fromEntries(env.filter(([k, v]) => k.startsWith("DATABRICKS_") && v));
      },
    },
  );
  expect(t.errorCodes).toEqual([]);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe("examples/gitops/pulumi.yml with the real CLI", () => {
  it("pull request preview and its comment, merge up, a clean drift check, then drift caught and repaired", async () => {
    // The Databricks credential reaches the providers from the environment only.
    expect(readFileSync(t.stack.configFile, "utf8")).not.toContain("databricksClient");

    // Pull request: the preview job's pulumi step, then its comment step with the real output.
    const preview = await runAction("preview");
    expectOk(preview, "preview job");
    expect(preview.stdout).toMatch(/\+ +okta-databricks-aim:index:DatabricksAim/);
    const ws = mkdtempSync(join(tmpdir(), "gitops-engine-"));
    symlinkSync(join(ROOT, "examples"), join(ws, "examples"));
    const pullRequestFile = join(ws, ".pull-request.json");
    const pr: FakePullRequest = {
      owner: "acme",
      repo: "idp",
      number: 3,
      comments: [],
      nextId: 100,
      calls: [],
    };
    writeFileSync(pullRequestFile, JSON.stringify(pr));
    const commentStep = workflow.jobs.preview!.steps.find((s) =>
      s.uses?.startsWith("actions/github-script@"),
    )!;
    const comment = (output: string) =>
      runJob(workflow, "preview", {
        workspace: ws,
        pullRequestFile,
        onlySteps: [commentStep.id ?? commentStep.name ?? ""],
        stepOutputs: { preview: { output } },
      });
    const posted = await comment(preview.stdout);
    expect(posted.ok, posted.steps.map((s) => s.stderr).join("\n")).toBe(true);
    const afterFirst = JSON.parse(readFileSync(pullRequestFile, "utf8")) as FakePullRequest;
    expect(afterFirst.comments).toHaveLength(1);
    expect(afterFirst.comments[0]!.user).toEqual(ACTIONS_BOT);
    expect(afterFirst.comments[0]!.body).toContain("<!-- pulumi-preview:prod -->");
    expect(afterFirst.comments[0]!.body).toContain("okta-databricks-aim:index:DatabricksAim");

    // Merge: the up job's pulumi step links everything and enables AIM.
    expectOk(await runAction("up"), "up job");
    expect(t.dbx.store.aimEnabled).toBe(true);
    const linkable = [...t.dbx.store.users.values()]
      .filter((u) => u.externalId)
      .map((u) => ({ id: u.id, externalId: u.externalId }));
    expect(linkable.length).toBeGreaterThan(30);

    // Schedule: nothing drifted, the drift job passes.
    expectOk(await runAction("drift"), "drift job (clean)");

    // Someone clears a link by hand: the drift job fails and says which link.
    const clearedId = linkable[0]!.id;
    t.dbx.store.users.get(clearedId)!.externalId = null;
    const drifted = await runAction("drift");
    expect(drifted.code).not.toBe(0);
    expect(drifted.output).toContain("1 link(s) to write: users 1");

    // A pull request preview now shows the same, in the same comment, edited in place.
    const again = await runAction("preview");
    expectOk(again, "preview job (drift)");
    expect((await comment(again.stdout)).ok).toBe(true);
    const afterSecond = JSON.parse(readFileSync(pullRequestFile, "utf8")) as FakePullRequest;
    expect(afterSecond.comments).toHaveLength(1);
    expect(afterSecond.calls.filter((c) => !c.startsWith("list"))).toEqual([
      "create 100",
      "update 100",
    ]);
    expect(afterSecond.comments[0]!.body).toContain("1 link(s) to write: users 1");

    // The next merge's up repairs it; the drift job passes again.
    expectOk(await runAction("up"), "up job (repair)");
    expect(t.dbx.store.users.get(clearedId)!.externalId).toBe(linkable[0]!.externalId);
    expectOk(await runAction("drift"), "drift job (after repair)");
    rmSync(ws, { recursive: true, force: true });
  });
});
