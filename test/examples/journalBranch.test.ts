/**
 * examples/gitops/journal-branch.sh: the undo journals' durable home, a
 * branch of the repository, against a local bare repository standing in for
 * GitHub. A later run restores what earlier runs saved; the Okta snapshot
 * cache never leaves the runner; a run that lost a race fails rather than
 * overwrite; the checked-out branch and working tree are left alone.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, loadWorkflow } from "./workflow";

const SCRIPT = join(ROOT, "examples/gitops/journal-branch.sh");
const BRANCH = "aim-undo-journal";

let base: string;
let remote: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/** A fresh clone of the remote, as a pipeline job's checkout is. */
function checkout(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  git(dir, "init", "--quiet", "-b", "main");
  git(dir, "remote", "add", "origin", remote);
  git(dir, "fetch", "--quiet", "origin", "main");
  git(dir, "checkout", "--quiet", "-b", "main", "FETCH_HEAD");
  return dir;
}

function journal(cwd: string, ...args: string[]) {
  const env = { ...process.env };
  delete env.GITHUB_TOKEN;
  const r = spawnSync("bash", [SCRIPT, ...args], { cwd, encoding: "utf8", env });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("journal-branch.sh", () => {
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "aim-journal-branch-"));
    remote = join(base, "remote.git");
    git(base, "init", "--quiet", "--bare", "-b", "main", remote);
    const seed = join(base, "seed");
    mkdirSync(seed);
    git(seed, "init", "--quiet", "-b", "main");
    writeFileSync(join(seed, "aimctl.rules.json"), "{}\n");
    git(seed, "add", ".");
    git(
      seed,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@example.com",
      "commit",
      "--quiet",
      "-m",
      "rules",
    );
    git(seed, "push", "--quiet", remote, "main");
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("run 1 saves its journal (not the snapshot cache); run 2 restores it and adds its own", () => {
    const run1 = checkout("run1");
    expect(journal(run1, "restore", ".okta-databricks-aim").out).toContain(
      `no branch ${BRANCH} yet: nothing to restore`,
    );
    const dir1 = join(run1, ".okta-databricks-aim");
    writeFileSync(join(dir1, "journal-acc.jsonl"), '{"type":"run","n":1}\n');
    writeFileSync(join(dir1, "okta-snapshot-acme.okta.com-0oa1.jsonl"), '{"login":"alice"}\n');
    const saved = journal(run1, "save", ".okta-databricks-aim", "pulumi up, run 1");
    expect(saved.code, saved.out).toBe(0);
    expect(saved.out).toMatch(/saved 1 journal file\(s\) to aim-undo-journal/);
    expect(git(base, "--git-dir", remote, "ls-tree", "--name-only", BRANCH)).toBe(
      "journal-acc.jsonl",
    );
    // The job's own branch and working tree are untouched.
    expect(git(run1, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(git(run1, "status", "--porcelain")).toBe("?? .okta-databricks-aim/");

    const run2 = checkout("run2");
    const restored = journal(run2, "restore", ".okta-databricks-aim");
    expect(restored.out).toContain("restored 1 journal file(s)");
    const dir2 = join(run2, ".okta-databricks-aim");
    expect(readFileSync(join(dir2, "journal-acc.jsonl"), "utf8")).toBe('{"type":"run","n":1}\n');
    expect(readdirSync(dir2).sort()).toEqual([".journal-branch-tip", "journal-acc.jsonl"]);
    writeFileSync(join(dir2, "journal-acc.jsonl"), '{"type":"run","n":1}\n{"type":"run","n":2}\n');
    writeFileSync(join(dir2, "undo-778.jsonl"), '{"type":"run","n":3}\n');
    expect(journal(run2, "save", ".okta-databricks-aim", "run 2").code).toBe(0);
    const log = git(base, "--git-dir", remote, "log", "--format=%s", BRANCH);
    expect(log.split("\n")).toEqual(["run 2", "pulumi up, run 1"]);
    expect(git(base, "--git-dir", remote, "show", `${BRANCH}:journal-acc.jsonl`)).toBe(
      '{"type":"run","n":1}\n{"type":"run","n":2}',
    );

    // Nothing new: no empty commit.
    expect(journal(run2, "save", ".okta-databricks-aim", "run 2 again").out).toContain(
      "already holds these 2 journal file(s)",
    );
  });

  it("two runs that restored the same tip: the second save refuses and overwrites nothing", () => {
    const a = checkout("race-a");
    const b = checkout("race-b");
    journal(a, "restore", "j");
    journal(b, "restore", "j");
    writeFileSync(join(a, "j", "journal-acc.jsonl"), "a\n");
    writeFileSync(join(b, "j", "journal-acc.jsonl"), "b\n");
    expect(journal(a, "save", "j", "a").code).toBe(0);
    const lost = journal(b, "save", "j", "b");
    expect(lost.code).toBe(1);
    expect(lost.out).toContain("another run saved to aim-undo-journal since this one restored");
    expect(git(base, "--git-dir", remote, "log", "-1", "--format=%s", BRANCH)).toBe("a");
    expect(git(base, "--git-dir", remote, "show", `${BRANCH}:journal-acc.jsonl`)).toBe("a");
    // Its own journal is still there to merge by hand.
    expect(readFileSync(join(b, "j", "journal-acc.jsonl"), "utf8")).toBe("b\n");
  });

  it("the workflows restore before writing and save after, even when the run failed", () => {
    const pulumi = loadWorkflow("examples/gitops/pulumi.yml").workflow.jobs.up!;
    const aimctl = loadWorkflow("examples/gitops/aimctl.yml").workflow.jobs.apply!;
    for (const [job, writes] of [
      [pulumi, "pulumi/actions"],
      [aimctl, "Apply the plan of record"],
    ] as const) {
      const steps = job.steps;
      const at = (s: string) =>
        steps.findIndex((x) => x.uses?.startsWith(s) || x.name === s || x.run?.includes(s));
      const restore = at("journal-branch.sh restore");
      const write = at(writes);
      const save = at("journal-branch.sh save");
      expect(restore).toBeGreaterThanOrEqual(0);
      expect(restore).toBeLessThan(write);
      expect(save).toBeGreaterThan(write);
      expect(steps[save]?.if).toBe("always()");
      expect(steps[save]?.env?.GITHUB_TOKEN).toBe("${{ secrets.GITHUB_TOKEN }}");
    }
  });
});
